"""PyTorch twin of `ember train --model softmax|mlp|lenet|lenet_bn --epochs 10` (the notes' settings) for issue 13's
accuracy table: the same Fashion-MNIST files (read from Ember's Data/ folder with gzip, no torchvision needed),
batch 256, SGD, the notes' learning rates and initialisation, 10 epochs; prints the final train loss, train accuracy
and test accuracy per model and seed.

It follows `ember train`'s seeding, so each seed is the same run in both: `torch.manual_seed(seed)` before building
the model (Ember initialises bit-identically), and at the start of each epoch `torch.manual_seed(epoch_seed(seed,
epoch))` before a `DataLoader(shuffle=True)` without a generator (Ember's loader draws PyTorch's order from it).
`--independent-order` shuffles from one `torch.Generator().manual_seed(seed)` instead, as a PyTorch script would.

    python3 Benchmarks/torch_notes_accuracy.py --seeds 0 1 2 3 4 --models lenet mlp
"""
import argparse, gzip, os, struct, time
import numpy as np
import torch
from torch import nn

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Data", "fashion-mnist")


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    dims = struct.unpack(">" + "I" * (magic & 0xFF), raw[4:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def epoch_seed(seed, epoch):
    """ClassifierTraining.epochSeed: SplitMix64's mixer over seed * golden ratio + epoch + 1 (64-bit wrapping)."""
    m = (1 << 64) - 1
    z = ((seed & m) * 0x9E3779B97F4A7C15 + epoch + 1) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def loaders(batch, seed, independent_order):
    xs = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    ys = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.int64)
    xt = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    yt = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
    g = torch.Generator().manual_seed(seed) if independent_order else None
    train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xs, ys), batch_size=batch, shuffle=True, generator=g)
    test = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xt, yt), batch_size=batch)
    return train, test


def model(name):
    if name == "softmax":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
        net.apply(lambda m: nn.init.normal_(m.weight, std=0.01) if isinstance(m, nn.Linear) else None)
        return net, 0.1
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), 0.1
    if name == "lenet":
        net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 5), nn.Sigmoid(),
                            nn.AvgPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                            nn.Linear(84, 10))
        lr = 0.9
    else:  # lenet_bn, the notes' concise version
        net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 5),
                            nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(), nn.Linear(256, 120),
                            nn.BatchNorm1d(120), nn.Sigmoid(), nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(), nn.Linear(84, 10))
        lr = 1.0
    net.apply(lambda m: nn.init.xavier_uniform_(m.weight) if isinstance(m, (nn.Linear, nn.Conv2d)) else None)
    return net, lr


def run(name, seed, epochs, independent_order=False):
    torch.manual_seed(seed)
    net, lr = model(name)
    train, test = loaders(256, seed, independent_order)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        if not independent_order:
            torch.manual_seed(epoch_seed(seed, epoch))
        net.train()
        tot, correct, n = 0.0, 0, 0
        for x, y in train:
            opt.zero_grad()
            out = net(x)
            l = loss(out, y)
            l.backward()
            opt.step()
            tot += l.item() * y.numel(); correct += (out.argmax(1) == y).sum().item(); n += y.numel()
    net.eval()
    with torch.no_grad():
        acc = sum((net(x).argmax(1) == y).sum().item() for x, y in test) / 10000
    return tot / n, correct / n, acc


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--models", nargs="+", default=["softmax", "mlp", "lenet", "lenet_bn"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--independent-order", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for m in a.models:
        for s in a.seeds:
            t = time.time()
            l, tr, te = run(m, s, a.epochs, a.independent_order)
            print(f"{m} seed {s}: loss {l:.4f} train acc {tr:.4f} test acc {te:.4f} ({time.time() - t:.0f} s)", flush=True)
