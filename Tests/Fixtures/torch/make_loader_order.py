"""Writes loader_order.json: the sample order of torch.utils.data.DataLoader(shuffle=True, generator=g) over two
epochs, the same without a generator after torch.manual_seed(seed), and torch.utils.data.random_split's indices, for a few seeds and sizes (torch 2.13, CPU). Ember's
DataLoader and randomSplit must visit the samples in the same order for a core Generator with the same seed.

    python3 Tests/Fixtures/torch/make_loader_order.py
"""
import json, os, torch

cases = []
for seed in [0, 5, 42, 2**40 + 7]:
    for n in [1, 2, 12, 97, 1000]:
        g = torch.Generator().manual_seed(seed)
        loader = torch.utils.data.DataLoader(list(range(n)), batch_size=7, shuffle=True, generator=g)
        epochs = [[i for b in loader for i in b.tolist()] for _ in range(2)]
        torch.manual_seed(seed)
        loader = torch.utils.data.DataLoader(list(range(n)), batch_size=7, shuffle=True)
        default_epochs = [[i for b in loader for i in b.tolist()] for _ in range(2)]
        g = torch.Generator().manual_seed(seed)
        parts = torch.utils.data.random_split(list(range(n)), [n // 3, n - n // 3], generator=g)
        cases.append({"seed": seed, "n": n, "batch_size": 7, "epochs": epochs, "default_generator_epochs": default_epochs,
                      "random_split": {"lengths": [n // 3, n - n // 3], "indices": [p.indices for p in parts]}})
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loader_order.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(out)
