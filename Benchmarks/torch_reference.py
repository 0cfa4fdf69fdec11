#!/usr/bin/env python3
"""PyTorch timings of the workloads of `ember bench`, with the same definitions, run counts and output.

Each benchmark builds its inputs once, runs one warm-up, then `runs` timed runs; the median is reported.
Prints `[{"name", "median_s", "runs"}]` JSON with --json (the format of `ember bench --json`), else a table.

    python3 Benchmarks/torch_reference.py --json --filter resnet18
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def measure(body, runs):
    body()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        body()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# --- models (the notes' definitions; ResNet-18 in torchvision's layout, written out) -------------------

def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet18(nn.Module):
    """torchvision.models.resnet18(num_classes=...) without torchvision: same modules, same init."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)

        def stage(i, p, s):
            return nn.Sequential(BasicBlock(i, p, s), BasicBlock(p, p))

        self.layer1, self.layer2 = stage(64, 64, 1), stage(64, 128, 2)
        self.layer3, self.layer4 = stage(128, 256, 2), stage(256, 512, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# --- workloads ---------------------------------------------------------------------------------------

def sgemm(m, k, n):
    def setup():
        a = torch.full((m, k), 0.5)
        b = torch.full((k, n), 0.25)
        c = torch.empty(m, n)
        return lambda: torch.mm(a, b, out=c)
    return setup, (5 if m * n * k >= 1 << 30 else 20)


def train_step(model, shape, classes=10):
    def setup():
        torch.manual_seed(0)
        net = model()
        net.train()
        x = torch.randn(shape)
        y = torch.randint(0, classes, (shape[0],))
        opt = torch.optim.SGD(net.parameters(), lr=0.01)

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
        return step
    return setup


def resnet18(num_classes):
    """The written-out ResNet-18, or torchvision's own with `--torchvision-resnet` (the same modules and init)."""
    if USE_TORCHVISION_RESNET:
        import torchvision
        return torchvision.models.resnet18(num_classes=num_classes)
    return ResNet18(num_classes=num_classes)


USE_TORCHVISION_RESNET = False


def resnet_infer():
    torch.manual_seed(0)
    net = resnet18(num_classes=10).eval()
    x = torch.randn(1, 3, 224, 224)

    def body():
        with torch.no_grad():
            net(x)
    return body


# ResNet-18's convolutions on one 224x224 image (in, out, kernel, stride, size), as in Ember's ConvBenchmarks.swift.
RESNET18_INFERENCE_CONVOLUTIONS = [(3, 64, 7, 2, 224), (64, 64, 3, 1, 56), (64, 128, 3, 2, 56), (128, 128, 3, 1, 28),
                                   (64, 128, 1, 2, 56), (128, 256, 3, 2, 28), (256, 256, 3, 1, 14), (128, 256, 1, 2, 28),
                                   (256, 512, 3, 2, 14), (512, 512, 3, 1, 7), (256, 512, 1, 2, 14)]


def conv_forward(in_c, out_c, k, stride, size):
    def setup():
        x = torch.randn(1, in_c, size, size)
        w = torch.randn(out_c, in_c, k, k) * 0.05

        def body():
            with torch.no_grad():
                F.conv2d(x, w, stride=stride, padding=k // 2)
        return body
    return setup


def elementwise(kind):
    def setup():
        n = 10_000_000
        if kind == "add":
            a, b, c = torch.ones(n), torch.ones(n), torch.empty(n)
            return lambda: torch.add(a, b, out=c)
        if kind == "exp":
            a, c = torch.full((n,), 0.5), torch.empty(n)
            return lambda: torch.exp(a, out=c)
        if kind == "copy":  # the twin of Ember's stream_copy row (fma_peak has none)
            a, c = torch.ones(n), torch.empty(n)
            return lambda: c.copy_(a)
        if kind == "cast":
            a, c = torch.full((n,), 0.5), torch.empty(n, dtype=torch.float64)
            return lambda: c.copy_(a)
        a = torch.ones(n)
        return lambda: a.sum()
    return setup


def maxpool_with_indices():
    x = torch.randn(32, 64, 16, 16)
    return lambda: F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)


def optimizer_step(make):
    """One step of `make([p])` on a single parameter of 10M floats with a fixed gradient."""
    def setup():
        p = torch.nn.Parameter(torch.ones(10_000_000))
        p.grad = torch.ones(10_000_000) * 0.01
        opt = make([p])
        return opt.step
    return setup


def fashion_mnist_pass():
    import torchvision  # noqa: F401  (only called when importable)
    from torchvision import datasets, transforms
    root = os.environ.get("EMBER_DATA_DIR")
    if not root:
        return None
    train = datasets.FashionMNIST(root=root, train=True, transform=transforms.ToTensor(), download=False)
    loader = torch.utils.data.DataLoader(train, batch_size=256, shuffle=True, num_workers=2)

    def body():
        for x, _ in loader:
            pass
    return body


def bpe_encode_book():
    """Byte-level BPE (1000 tokens, trained on the book as `ember bench` does) encoding the whole book, one thread."""
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from tokenizers import ByteLevelBPETokenizer
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Data", "timemachine", "timemachine.txt")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train([path], vocab_size=1000, min_frequency=2, show_progress=False)
    return lambda: tokenizer.encode(text)


def recurrent_lm(lstm):
    """d2l character LM step: one-hot 28 -> GRU/LSTM 256 -> Linear 28, CE, backward, clip 1, SGD lr 1 (b32, 35 steps)."""
    def setup():
        torch.manual_seed(0)
        rnn = nn.LSTM(28, 256) if lstm else nn.GRU(28, 256)
        head = nn.Linear(256, 28)
        params = list(rnn.parameters()) + list(head.parameters())
        tokens = torch.randint(0, 28, (32, 35))
        x = F.one_hot(tokens.T, 28).float()
        y = torch.randint(0, 28, (35 * 32,))
        opt = torch.optim.SGD(params, lr=1)

        def step():
            opt.zero_grad()
            out, _ = rnn(x)
            loss = F.cross_entropy(head(out.reshape(-1, 256)), y)
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1)
            opt.step()
        return step
    return setup


class TinyTransformerLM(nn.Module):
    """Token embedding 96 + learned positions 64, two pre-norm GELU encoder layers (d 128, 4 heads, FFN 512), head 96."""
    def __init__(self):
        super().__init__()
        self.token_embedding = nn.Embedding(96, 128)
        self.position_embedding = nn.Embedding(64, 128)
        layer = nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(128, 96)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(64))

    def forward(self, tokens):
        x = self.token_embedding(tokens) + self.position_embedding(torch.arange(tokens.shape[1]))
        return self.head(self.encoder(x, mask=self.mask))


def transformer_lm():
    torch.manual_seed(0)
    model = TinyTransformerLM()
    x = torch.randint(0, 96, (32, 64))
    y = torch.randint(0, 96, (32 * 64,))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, 96), y)
        loss.backward()
        opt.step()
    return step


def mha_infer():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(256, 8, batch_first=True).eval()
    x = torch.randn(32, 128, 256)

    def body():
        with torch.no_grad():
            mha(x, x, x, need_weights=False)
    return body


def benchmarks():
    items = []
    for name, (m, k, n) in [("sgemm_256", (256, 256, 256)), ("sgemm_512", (512, 512, 512)),
                            ("sgemm_1024", (1024, 1024, 1024)), ("sgemm_2048", (2048, 2048, 2048)),
                            ("sgemm_256x784x256", (256, 784, 256)), ("sgemm_64x4096x4096", (64, 4096, 4096))]:
        setup, runs = sgemm(m, k, n)
        items.append((name, runs, setup))
    items += [
        ("stream_copy", 20, elementwise("copy")),
        ("add_10m", 20, elementwise("add")),
        ("exp_10m", 20, elementwise("exp")),
        ("sum_10m", 20, elementwise("sum")),
        ("cast_f32_f64_10m", 20, elementwise("cast")),
        ("maxpool3x3s2_indices_32x64x16x16", 50, maxpool_with_indices),
        ("sgd_momentum_step_10m", 20, optimizer_step(lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9))),
        ("adam_step_10m", 20, optimizer_step(lambda ps: torch.optim.Adam(ps, lr=1e-3))),
        ("mlp_train_step_b256", 50, train_step(mlp, (256, 1, 28, 28))),
        ("lenet_train_step_b256", 20, train_step(lenet, (256, 1, 28, 28))),
        ("resnet18_train_step_b32_32px", 5, train_step(lambda: resnet18(num_classes=10), (32, 3, 32, 32))),
        ("resnet18_infer_b1_224", 10, resnet_infer),
    ]
    items += [(f"r18conv_{i}to{o}_k{k}s{s}_{n}px_b1", 30, conv_forward(i, o, k, s, n))
              for i, o, k, s, n in RESNET18_INFERENCE_CONVOLUTIONS]
    items += [
        ("gru_lm_train_step_b32_s35_h256", 10, recurrent_lm(lstm=False)),
        ("lstm_lm_train_step_b32_s35_h256", 10, recurrent_lm(lstm=True)),
        ("transformer_lm_train_step_b32_s64_d128", 10, transformer_lm),
        ("mha_infer_b32_s128_d256", 20, mha_infer),
    ]
    try:
        import torchvision  # noqa: F401
        items.append(("fashion_mnist_pass_b256_w2", 3, fashion_mnist_pass))
    except ImportError:
        pass
    try:
        import tokenizers  # noqa: F401  (Hugging Face's, for the BPE twin; skipped when absent)
        items.append(("bpe_encode_book", 20, bpe_encode_book))
    except ImportError:
        print("skipping bpe_encode_book: pip install tokenizers", file=sys.stderr)
    return items


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--filter", help="only benchmarks whose name contains this text")
    parser.add_argument("--runs", type=int, help="timed runs per benchmark (after one warm-up)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--torchvision-resnet", action="store_true",
                        help="time torchvision.models.resnet18 in the ResNet-18 rows instead of the written-out copy")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    global USE_TORCHVISION_RESNET
    USE_TORCHVISION_RESNET = args.torchvision_resnet

    results = []
    for name, runs, setup in benchmarks():
        if args.filter and args.filter not in name:
            continue
        body = setup()
        if body is None:
            print(f"skipping {name}: set EMBER_DATA_DIR to the folder holding FashionMNIST", file=sys.stderr)
            continue
        runs = args.runs or runs
        median = measure(body, runs)
        results.append({"name": name, "median_s": median, "runs": runs})
        if not args.json:
            print(f"{name:<32}{median * 1000:10.3f} ms", flush=True)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
