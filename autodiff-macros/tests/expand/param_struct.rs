#[differentiate]
fn loss(net: &Mlp, x: &SVector<f32, 4>, label: usize) -> f32 {
    let h = relu(&(net.l1.weight * x + net.l1.bias));
    let logits = net.w2 * h;
    softmax_cross_entropy(&logits, label)
}
