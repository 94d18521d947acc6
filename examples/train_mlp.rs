//! The main job: train the digits MLP with a gradient written by `#[differentiate]`, report
//! it, save it, and fine-tune it on a related task.
//!
//! ```text
//! cargo run --release --example train_mlp                   # the defaults below
//! cargo run --release --example train_mlp -- --epochs 5 --out /tmp/run
//! cargo run --release --example train_mlp -- --help
//! ```
//!
//! 1. **Train** the network 64 → 128 ReLU → 64 ReLU → 10 (softmax cross-entropy), He
//!    initialization, Adam (lr 1e-3), batch size 32, 50 epochs, seed 42, on the bundled
//!    UCI digits in the canonical split (row index % 5 == 0 is test: 360 rows; the other
//!    1437 rows train; pixels scaled by 1/16). The test set is evaluated after every epoch
//!    for the curves only: nothing is selected or stopped on it.
//! 2. **Report** the test accuracy, the per-class precision / recall / F1 and the confusion
//!    matrix; save the weights (`mlp.safetensors`, loadable with
//!    `safetensors.torch.load_file`), the history (`history.csv`) and the curves
//!    (`curves.svg`) under `--out`.
//! 3. **Fine-tune** the saved network on a related task: the same digits **shifted one
//!    pixel to the right** (the left column becomes blank, the right one drops off). The
//!    first layer is frozen (`Adam::freeze(&["l1"])`) and the loss adds the L2-SP penalty
//!    `lambda * ||W - W_pretrained||^2` (`--lambda`, default 1e-3), which keeps the other
//!    layers near their pretrained values: a larger lambda forgets less of the original task
//!    and learns less of the new one. The accuracy on the shifted test set is reported before and
//!    after, and the accuracy on the original test set after (how much was forgotten);
//!    outputs `finetuned.safetensors`, `finetune_history.csv`, `finetune_curves.svg`.
//!
//! The same seed gives the same numbers on every run. Bad options print a message and exit
//! with code 2; a data file or output directory that cannot be used exits with code 1.

use autodiff::checkpoint;
use autodiff::data::{CsvOptions, Dataset, Split, datasets, load_csv_with};
use autodiff::metrics::ConfusionMatrix;
use autodiff::optim::{Adam, AdamConfig};
use autodiff::train::{FitConfig, History, confusion_matrix, evaluate, fit, plot_history};
use autodiff::{Params, differentiate};
use nalgebra::SVector;
// The macro calls `g_pullback` for every call `g(..)` it differentiates, so both are imported.
use autodiff::nn::{
    Dense, dense, dense_pullback, l2sp_penalty, l2sp_penalty_pullback, relu, relu_pullback,
    softmax_cross_entropy, softmax_cross_entropy_pullback,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

type Image = SVector<f32, 64>;

/// The network: 64 → 128 ReLU → 64 ReLU → 10.
#[derive(Params, Clone, Debug, PartialEq)]
struct Mlp {
    l1: Dense<f32, 64, 128>,
    l2: Dense<f32, 128, 64>,
    l3: Dense<f32, 64, 10>,
}

impl Mlp {
    /// He (Kaiming) normal weights, zero biases; each layer from its own seed.
    fn he_normal(seed: u64) -> Self {
        Mlp {
            l1: Dense::he_normal(seed),
            l2: Dense::he_normal(seed.wrapping_add(1)),
            l3: Dense::he_normal(seed.wrapping_add(2)),
        }
    }

    fn zeros() -> Self {
        Mlp {
            l1: Dense::zeros(),
            l2: Dense::zeros(),
            l3: Dense::zeros(),
        }
    }
}

/// The class scores (logits) of one image.
fn logits(net: &Mlp, x: &Image) -> SVector<f32, 10> {
    let h1 = relu(&dense(&net.l1, x));
    let h2 = relu(&dense(&net.l2, &h1));
    dense(&net.l3, &h2)
}

/// Softmax cross-entropy of one image. `#[differentiate]` writes `loss_grad`, which `fit`
/// calls for every sample, and `loss_pullback`, through which `finetune_loss` calls it.
#[differentiate(wrt(net))]
fn loss(net: &Mlp, x: &Image, label: usize) -> f32 {
    let h1 = relu(&dense(&net.l1, x));
    let h2 = relu(&dense(&net.l2, &h1));
    let logits = dense(&net.l3, &h2);
    softmax_cross_entropy(&logits, label)
}

/// The fine-tuning loss: cross-entropy plus the L2-SP penalty pulling the weights towards
/// the pretrained ones. Only `net` is differentiated; `pretrained` and `lambda` are data.
#[differentiate(wrt(net))]
fn finetune_loss(net: &Mlp, pretrained: &Mlp, lambda: f32, x: &Image, label: usize) -> f32 {
    let ce = loss(net, x, label);
    ce + lambda * l2sp_penalty(net, pretrained)
}

const USAGE: &str = "\
Train the digits MLP (64-128-64-10, Adam, gradient by #[differentiate]), then fine-tune it
on the digits shifted one pixel to the right with the first layer frozen and an L2-SP penalty.

Usage: cargo run --release --example train_mlp -- [OPTIONS]

Options:
  --epochs N            training epochs (default 50)
  --finetune-epochs N   fine-tuning epochs (default 10)
  --seed S              seed of the initialization and the shuffling (default 42)
  --lambda X            L2-SP strength while fine-tuning (default 1e-3; 0 turns it off)
  --data PATH           a CSV in the digits format instead of the bundled digits: 64 pixel
                        columns (0..16) then the label 0..9, no header; split like the
                        bundled data (row index % 5 == 0 is test)
  --out DIR             where the checkpoints, histories and curves go (default runs/train_mlp)
  -h, --help            print this help
";

#[derive(Debug, Clone, PartialEq)]
struct Options {
    epochs: usize,
    finetune_epochs: usize,
    seed: u64,
    lambda: f32,
    data: Option<PathBuf>,
    out: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            epochs: 50,
            finetune_epochs: 10,
            seed: 42,
            lambda: 1e-3,
            data: None,
            out: PathBuf::from("runs/train_mlp"),
        }
    }
}

/// `Ok(None)` for `--help`.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(None);
        }
        if !matches!(
            name.as_str(),
            "--epochs" | "--finetune-epochs" | "--seed" | "--lambda" | "--data" | "--out"
        ) {
            return Err(format!("unknown option `{arg}`"));
        }
        let value = match inline.or_else(|| args.next()) {
            Some(v) => v,
            None => return Err(format!("`{name}` needs a value")),
        };
        let number = |what: &str| -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("`{name}` expects {what}, got `{value}`"))
        };
        match name.as_str() {
            "--epochs" | "--finetune-epochs" => {
                let n = number("a whole number of epochs")?;
                let n = usize::try_from(n).map_err(|_| format!("`{name}` is too large"))?;
                if name == "--epochs" {
                    if n == 0 {
                        return Err("`--epochs` must be at least 1".to_string());
                    }
                    options.epochs = n;
                } else {
                    options.finetune_epochs = n;
                }
            }
            "--seed" => options.seed = number("a non-negative integer")?,
            "--lambda" => {
                options.lambda = value
                    .parse::<f32>()
                    .ok()
                    .filter(|l| l.is_finite() && *l >= 0.0)
                    .ok_or_else(|| format!("`--lambda` expects a number >= 0, got `{value}`"))?;
            }
            "--data" => options.data = Some(PathBuf::from(value)),
            "--out" => options.out = PathBuf::from(value),
            _ => unreachable!("checked above"),
        }
    }
    Ok(Some(options))
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => match run(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(1)
            }
        },
        Ok(None) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!(
                "error: {message}\n\nUsage: cargo run --release --example train_mlp -- \
                 [--epochs N] [--finetune-epochs N] [--seed S] [--lambda X] [--data PATH] \
                 [--out DIR]\n\
                 For more information, try `--help`."
            );
            ExitCode::from(2)
        }
    }
}

/// The digits in the canonical split: the bundled copy, or a CSV in the same format.
fn load_digits(path: Option<&Path>) -> Result<Split<Image>, String> {
    let Some(path) = path else {
        return datasets::digits::<f32>().map_err(|e| e.to_string());
    };
    let all = load_csv_with::<f32, 64>(path, &CsvOptions::new(64).num_classes(10))
        .map_err(|e| e.to_string())?;
    if let Some((i, x)) = all
        .samples()
        .iter()
        .enumerate()
        .find(|(_, x)| x.iter().any(|p| !(0.0..=16.0).contains(p)))
    {
        let bad = x.iter().find(|p| !(0.0..=16.0).contains(*p)).copied();
        return Err(format!(
            "{}: row {} has pixel value {}, expected counts 0..16",
            path.display(),
            i + 1,
            bad.unwrap_or(f32::NAN)
        ));
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, (x, label)) in all.iter().enumerate() {
        let part = if i % 5 == 0 { &mut test } else { &mut train };
        part.push((x / 16.0, label));
    }
    if train.is_empty() || test.is_empty() {
        return Err(format!(
            "{}: {} rows are too few for a train/test split",
            path.display(),
            all.len()
        ));
    }
    Ok(Split {
        train: train.into_iter().collect(),
        test: test.into_iter().collect(),
    })
}

/// The image moved one pixel to the right: column 0 becomes blank, column 7 drops off.
fn shift_right(x: &Image) -> Image {
    Image::from_fn(|i, _| {
        let (row, col) = (i / 8, i % 8);
        if col == 0 { 0.0 } else { x[row * 8 + col - 1] }
    })
}

fn shifted(data: &Dataset<Image>) -> Dataset<Image> {
    data.iter().map(|(x, y)| (shift_right(x), y)).collect()
}

fn accuracy(net: &Mlp, data: &Dataset<Image>) -> f64 {
    evaluate(net, data, loss, logits).1
}

fn save_outputs(history: &History, dir: &Path, stem: &str) -> Result<(), String> {
    let csv = dir.join(format!("{stem}history.csv"));
    history
        .write_csv(&csv)
        .map_err(|e| format!("cannot write {}: {e}", csv.display()))?;
    let svg = dir.join(format!("{stem}curves.svg"));
    plot_history(history, &svg).map_err(|e| e.to_string())?;
    println!("saved {} and {}", csv.display(), svg.display());
    Ok(())
}

fn run(options: &Options) -> Result<(), String> {
    let start = Instant::now();
    let data = load_digits(options.data.as_deref())?;
    std::fs::create_dir_all(&options.out)
        .map_err(|e| format!("cannot create {}: {e}", options.out.display()))?;
    println!(
        "digits: {} training and {} test images{}",
        data.train.len(),
        data.test.len(),
        options
            .data
            .as_ref()
            .map_or(String::new(), |p| format!(" from {}", p.display()))
    );

    // 1. Train.
    let mut net = Mlp::he_normal(options.seed);
    println!(
        "network 64-128-64-10: {} parameters; Adam lr 1e-3, batch 32, {} epochs, seed {}",
        net.num_params(),
        options.epochs,
        options.seed
    );
    let mut opt = Adam::new(&net, AdamConfig::default());
    let history = fit(
        &mut net,
        &mut opt,
        &data.train,
        loss_grad,
        logits,
        FitConfig {
            epochs: options.epochs,
            batch_size: 32,
            seed: options.seed,
            validation: Some(&data.test),
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let train_seconds: f64 = history.epochs.iter().map(|r| r.seconds).sum();

    // 2. Report and save.
    let cm: ConfusionMatrix<10> = confusion_matrix(&net, &data.test, logits);
    println!(
        "\ntest accuracy: {:.2} % ({} of {}), {:.1} s of training",
        100.0 * cm.accuracy(),
        cm.correct(),
        cm.total(),
        train_seconds
    );
    println!("\nclassification report (test set):\n{}", cm.report());
    println!("confusion matrix (rows: true digit, columns: predicted):\n{cm}");
    let ckpt = options.out.join("mlp.safetensors");
    checkpoint::save(&net, &ckpt).map_err(|e| e.to_string())?;
    println!("saved {}", ckpt.display());
    save_outputs(&history, &options.out, "")?;

    // 3. Fine-tune the saved network on the shifted digits.
    if options.finetune_epochs == 0 {
        println!("\nfine-tuning skipped (--finetune-epochs 0)");
        println!("\ndone in {:.1} s", start.elapsed().as_secs_f64());
        return Ok(());
    }
    let mut pretrained = Mlp::zeros();
    checkpoint::load_into(&mut pretrained, &ckpt).map_err(|e| e.to_string())?;
    let (shifted_train, shifted_test) = (shifted(&data.train), shifted(&data.test));
    let before = accuracy(&pretrained, &shifted_test);
    let lambda = options.lambda;
    println!(
        "\nfine-tuning on the digits shifted one pixel right: l1 frozen, L2-SP lambda {lambda}, \
         Adam lr 1e-3, {} epochs",
        options.finetune_epochs
    );
    let mut tuned = pretrained.clone();
    let mut opt = Adam::new(&tuned, AdamConfig::default())
        .freeze(&["l1"])
        .map_err(|e| e.to_string())?;
    let grad = |n: &Mlp, x: &Image, y: usize| finetune_loss_grad(n, &pretrained, lambda, x, y);
    let ft_history = fit(
        &mut tuned,
        &mut opt,
        &shifted_train,
        grad,
        logits,
        FitConfig {
            epochs: options.finetune_epochs,
            seed: options.seed,
            validation: Some(&shifted_test),
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    assert_eq!(tuned.l1, pretrained.l1, "the frozen layer moved");
    let after = accuracy(&tuned, &shifted_test);
    println!(
        "\nshifted test accuracy: {:.2} % before fine-tuning, {:.2} % after",
        100.0 * before,
        100.0 * after
    );
    println!(
        "original test accuracy: {:.2} % before fine-tuning, {:.2} % after",
        100.0 * cm.accuracy(),
        100.0 * accuracy(&tuned, &data.test)
    );
    let tuned_ckpt = options.out.join("finetuned.safetensors");
    checkpoint::save(&tuned, &tuned_ckpt).map_err(|e| e.to_string())?;
    println!("saved {}", tuned_ckpt.display());
    save_outputs(&ft_history, &options.out, "finetune_")?;
    println!("\ndone in {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn options_parse_with_defaults_and_both_value_forms() {
        assert_eq!(parse(&[]), Ok(Some(Options::default())));
        let o = parse(&[
            "--epochs", "3", "--seed=7", "--out", "x/y", "--data", "d.csv",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            o,
            Options {
                epochs: 3,
                finetune_epochs: 10,
                seed: 7,
                lambda: 1e-3,
                data: Some(PathBuf::from("d.csv")),
                out: PathBuf::from("x/y"),
            }
        );
        assert_eq!(
            parse(&["--finetune-epochs", "0"])
                .unwrap()
                .unwrap()
                .finetune_epochs,
            0
        );
        assert_eq!(parse(&["--lambda", "0.01"]).unwrap().unwrap().lambda, 0.01);
        assert_eq!(parse(&["--epochs", "2", "-h"]), Ok(None));
        assert_eq!(parse(&["--help"]), Ok(None));
    }

    #[test]
    fn bad_options_are_messages() {
        assert_eq!(parse(&["--bogus"]), Err("unknown option `--bogus`".into()));
        assert_eq!(parse(&["extra"]), Err("unknown option `extra`".into()));
        assert_eq!(parse(&["--epochs"]), Err("`--epochs` needs a value".into()));
        assert_eq!(
            parse(&["--epochs", "-1"]),
            Err("`--epochs` expects a whole number of epochs, got `-1`".into())
        );
        assert_eq!(
            parse(&["--epochs", "0"]),
            Err("`--epochs` must be at least 1".into())
        );
        assert_eq!(
            parse(&["--lambda", "-1"]),
            Err("`--lambda` expects a number >= 0, got `-1`".into())
        );
        assert_eq!(
            parse(&["--seed", "abc"]),
            Err("`--seed` expects a non-negative integer, got `abc`".into())
        );
    }

    #[test]
    fn shift_moves_pixels_one_column_right() {
        let x = Image::from_fn(|i, _| i as f32);
        let y = shift_right(&x);
        for row in 0..8 {
            assert_eq!(y[row * 8], 0.0);
            for col in 1..8 {
                assert_eq!(y[row * 8 + col], x[row * 8 + col - 1]);
            }
        }
    }

    #[test]
    fn csv_data_is_split_and_scaled_like_the_bundled_digits() {
        let dir = std::env::temp_dir().join(format!("train_mlp-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("digits.csv");
        let row = |label: usize| {
            let pixels: Vec<String> = (0..64).map(|i| (i % 17).to_string()).collect();
            format!("{},{label}\n", pixels.join(","))
        };
        std::fs::write(&path, (0..10).map(row).collect::<String>()).unwrap();
        let split = load_digits(Some(&path)).unwrap();
        assert_eq!((split.train.len(), split.test.len()), (8, 2));
        assert_eq!(split.test.labels(), &[0, 5]);
        assert_eq!(split.train.get(0).unwrap().0[16], 16.0 / 16.0);
        std::fs::write(&path, row(3).replace("16,", "17,")).unwrap();
        let e = load_digits(Some(&path)).unwrap_err();
        assert!(e.contains("pixel value 17"), "{e}");
        std::fs::write(&path, row(3).replace(",3\n", ",12\n")).unwrap();
        assert!(load_digits(Some(&path)).unwrap_err().contains("label"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bundled_digits_load() {
        let split = load_digits(None).unwrap();
        assert_eq!((split.train.len(), split.test.len()), (1437, 360));
    }
}
