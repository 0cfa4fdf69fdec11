"""Writes resnet18_tiled.pt.gz: a torchvision resnet18 (1000 classes) state dict saved by torch.save (torch 2.13),
then gzip-compressed for the repository, for the fine-tuning test (`ember train --weights` with a file PyTorch
wrote). Real ImageNet weights are 45 MB of incompressible floats; here each weight tensor repeats one block of 997
normal draws, scaled as torchvision initialises it (Kaiming-normal fan_out for convolutions, 1/sqrt(fan_in) for the
linear layer), so the file keeps torchvision's exact keys, shapes, dtypes and layout (batch-norm buffers and the
int64 num_batches_tracked included) and compresses to a few hundred kB.

    python3 Tests/Fixtures/torch/make_resnet18_weights.py
"""
import gzip, io, math, os, torch, torchvision

torch.manual_seed(0)
block = torch.randn(997)
net = torchvision.models.resnet18(num_classes=1000)
with torch.no_grad():
    for name, t in net.state_dict().items():
        if name.endswith("weight") and t.dim() > 1:
            fan_out = t.shape[0] * (t[0][0].numel() if t.dim() == 4 else 1)
            std = math.sqrt(2.0 / fan_out) if t.dim() == 4 else 1 / math.sqrt(t.shape[1])
            t.copy_((block.repeat(t.numel() // 997 + 1)[: t.numel()] * std).view_as(t))
        elif name == "fc.bias":
            t.zero_()
buffer = io.BytesIO()
torch.save(net.state_dict(), buffer)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resnet18_tiled.pt.gz")
with gzip.GzipFile(out, "wb", mtime=0) as f:
    f.write(buffer.getvalue())
print(out, len(buffer.getvalue()), os.path.getsize(out))
