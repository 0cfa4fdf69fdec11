"""PyTorch twin of `ember train` (LeNet on Fashion-MNIST) for issue 13's end-to-end comparison: torchvision's
FashionMNIST over the same IDX files, DataLoader with 2 workers, the notes' LeNet (sigmoid, average pooling, Xavier,
SGD lr 0.9, batch 256), per-epoch test accuracy, a SummaryWriter with the same scalars and weight histograms, and
torch.save of {epoch, model, optimizer} each epoch. Prints the wall time of the whole run.

    pip install torchvision tensorboard   # (torchvision's _meta_registrations.py emptied on a CPU-only torch)
    python3 Benchmarks/torch_train_twin.py --epochs 2
    time .build/release/ember train --epochs 2 --out /tmp/ember-twin
"""
import argparse, os, shutil, tempfile, time
import torch
from torch import nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    start = time.time()
    import torchvision
    from torchvision import transforms
    from torch.utils.tensorboard import SummaryWriter
    torch.set_num_threads(a.threads)
    root = tempfile.mkdtemp()
    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw)
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Data", "fashion-mnist")
    for f in os.listdir(data):
        if f.endswith(".gz"):
            shutil.copy(os.path.join(data, f), raw)   # torchvision unpacks them on first use, as a user's first run does
    tf = transforms.ToTensor()
    train = torchvision.datasets.FashionMNIST(root, train=True, transform=tf, download=True)
    test = torchvision.datasets.FashionMNIST(root, train=False, transform=tf, download=True)
    train_iter = torch.utils.data.DataLoader(train, batch_size=256, shuffle=True, num_workers=2)
    test_iter = torch.utils.data.DataLoader(test, batch_size=256, shuffle=False, num_workers=2)
    torch.manual_seed(0)
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_notes_accuracy import model   # the notes' LeNet with Xavier init, shared with the accuracy runs
    net, _ = model("lenet")
    opt = torch.optim.SGD(net.parameters(), lr=0.9)
    loss = nn.CrossEntropyLoss()
    out = tempfile.mkdtemp()
    writer = SummaryWriter(os.path.join(out, "tensorboard"))
    step = 0
    for epoch in range(a.epochs):
        net.train()
        tot, correct, n = 0.0, 0, 0
        for x, y in train_iter:
            opt.zero_grad()
            o = net(x)
            l = loss(o, y)
            l.backward()
            opt.step()
            step += 1
            writer.add_scalar("train/batch_loss", l.item(), step)
            tot += l.item() * y.numel(); correct += (o.argmax(1) == y).sum().item(); n += y.numel()
        net.eval()
        with torch.no_grad():
            acc = sum((net(x).argmax(1) == y).sum().item() for x, y in test_iter) / len(test)
        writer.add_scalar("epoch/train_loss", tot / n, step)
        writer.add_scalar("epoch/train_acc", correct / n, step)
        writer.add_scalar("epoch/test_acc", acc, step)
        for name, prm in net.named_parameters():
            writer.add_histogram("weights/" + name, prm.detach(), step)
        torch.save({"epoch": epoch + 1, "model": net.state_dict(), "optimizer": opt.state_dict()}, os.path.join(out, "checkpoint.pt"))
        writer.flush()
        print(f"epoch {epoch + 1}: loss {tot / n:.3f} train acc {correct / n:.3f} test acc {acc:.3f}", flush=True)
    writer.close()
    print(f"wall {time.time() - start:.1f} s (including import torch and torchvision)")


if __name__ == "__main__":
    main()
