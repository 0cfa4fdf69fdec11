#!/usr/bin/env python3
"""Issue 14's language-model parity: `ember train --dataset timemachine` against a PyTorch twin that trains the
same model from the same initial weights on the same batches, epoch by epoch.

    swift build -c release
    python3 Benchmarks/torch_lm_parity.py .build/release/ember --model gru --epochs 20
    python3 Benchmarks/torch_lm_parity.py .build/release/ember --model transformer --epochs 3 --validation-fraction 0.1

Ember runs first with `--export-replay`, which writes the model's initial state dict (`replay/initial_model.pt`) and
each epoch's sequential-partitioning offset (`replay/offsets.txt`); its per-epoch perplexities and validation
losses are read back from its `checkpoint.pt`. The twin is plain PyTorch: d2l's `read_time_machine`, `tokenize`,
`Vocab`, `load_corpus_time_machine`, `seq_data_iter_sequential`, `RNNModel`, `grad_clipping` and `train_epoch_ch8`
written out from the book's definitions (no d2l package), with the offsets Ember drew instead of Python's `random`.
Both sides use the same number of threads; each side's "training steps" time covers its batch loops only (no
validation, logging or checkpoints), the wall time the whole process (Ember) or the whole twin run (PyTorch,
without `import torch`).
"""
import argparse
import collections
import math
import os
import re
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from torch import nn

BOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Data", "timemachine", "timemachine.txt")


# --- d2l's text pipeline (chapter 9), from the book's definitions ----------------------------------------------

def read_time_machine(path):
    with open(path, "r") as f:
        lines = f.readlines()
    return [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]


def tokenize(lines, token="word"):
    if token == "word":
        return [line.split() for line in lines]
    return [list(line) for line in lines]


class Vocab:
    def __init__(self, tokens, min_freq=0, reserved_tokens=()):
        flat = [t for line in tokens for t in line] if tokens and isinstance(tokens[0], list) else tokens
        self.token_freqs = sorted(collections.Counter(flat).items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ["<unk>"] + list(reserved_tokens)
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}
        for token, freq in self.token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, token):
        return self.token_to_idx.get(token, 0)


def load_corpus_time_machine(path, max_tokens=-1):
    tokens = tokenize(read_time_machine(path), "char")
    vocab = Vocab(tokens)
    corpus = [vocab[t] for line in tokens for t in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def seq_data_iter_sequential(corpus, batch_size, num_steps, offset):
    """d2l's iterator with the offset given (d2l draws `random.randint(0, num_steps)`; here Ember's draw)."""
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset: offset + num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1: offset + 1 + num_tokens]).reshape(batch_size, -1)
    for i in range(0, (Xs.shape[1] // num_steps) * num_steps, num_steps):
        yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]


# --- the models --------------------------------------------------------------------------------------------------

class RNNModel(nn.Module):
    """d2l's concise `RNNModel` (one direction, one layer)."""

    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn, self.vocab_size = rnn_layer, vocab_size
        self.linear = nn.Linear(rnn_layer.hidden_size, vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state

    def begin_state(self, batch_size):
        zeros = torch.zeros((1, batch_size, self.rnn.hidden_size))
        return (zeros, zeros.clone()) if isinstance(self.rnn, nn.LSTM) else zeros


class TransformerLM(nn.Module):
    """Ember's `TransformerLanguageModel`: token + learned position embeddings, pre-norm GELU encoder layers with a
    causal mask, a linear head; time-major logits like `RNNModel`. No state."""

    def __init__(self, vocab_size, context=64, d_model=128, heads=4, layers=2, feed_forward=512):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(context, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, feed_forward, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, vocab_size)
        self.vocab_size = vocab_size

    def forward(self, tokens, state):
        t = tokens.shape[1]
        x = self.token_embedding(tokens) + self.position_embedding(torch.arange(t))
        y = self.head(self.encoder(x, mask=nn.Transformer.generate_square_subsequent_mask(t)))
        return y.transpose(0, 1).reshape(-1, self.vocab_size), None

    def begin_state(self, batch_size):
        return None


def grad_clipping(net, theta):
    """d2l's `grad_clipping` (scales only when the norm exceeds theta; no epsilon)."""
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for p in params:
            p.grad[:] *= theta / norm


def clip(net, mode):
    if mode == "d2l":
        grad_clipping(net, 1)
    else:
        nn.utils.clip_grad_norm_(net.parameters(), 1)


def detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def train_epoch_ch8(net, batches, updater, clip_mode):
    """d2l's `train_epoch_ch8` with sequential partitioning: returns (perplexity, seconds in the loop)."""
    state, loss_sum, count = None, 0.0, 0
    start = time.perf_counter()
    for X, Y in batches:
        state = net.begin_state(X.shape[0]) if state is None else detach(state)
        y = Y.T.reshape(-1)
        y_hat, state = net(X, state)
        l = F.cross_entropy(y_hat, y.long())
        updater.zero_grad()
        l.backward()
        clip(net, clip_mode)
        updater.step()
        loss_sum += l.item() * y.numel()
        count += y.numel()
    return math.exp(loss_sum / count), time.perf_counter() - start


def validation_loss(net, corpus, batch_size, num_steps):
    """Ember's `validationLoss`: eval mode, sequential batches from offset 0, state carried, mean per token."""
    net.eval()
    state, loss_sum, count = None, 0.0, 0
    with torch.no_grad():
        for X, Y in seq_data_iter_sequential(corpus, batch_size, num_steps, 0):
            state = net.begin_state(X.shape[0]) if state is None else state
            y = Y.T.reshape(-1)
            y_hat, state = net(X, state)
            loss_sum += F.cross_entropy(y_hat, y).item() * y.numel()
            count += y.numel()
    net.train()
    return loss_sum / count


# --- the comparison ------------------------------------------------------------------------------------------------

def run_ember(args, out):
    cmd = [args.ember, "train", "--dataset", "timemachine", "--model", args.model, "--epochs", str(args.epochs),
           "--seed", str(args.seed), "--out", out, "--export-replay", "--validation-fraction", str(args.validation_fraction)]
    if args.max_tokens is not None:
        cmd += ["--max-tokens", str(args.max_tokens)]
    env = dict(os.environ, EMBER_NUM_THREADS=str(args.threads))
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"ember train failed ({result.returncode}):\n{result.stdout}")
    steps = re.search(r"trained \d+ epochs: ([0-9.]+) s in training steps", result.stdout)
    checkpoint = torch.load(os.path.join(out, "checkpoint.pt"), weights_only=True)
    return checkpoint, float(steps.group(1)) if steps else float("nan"), wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ember", help="path of the release `ember` executable")
    parser.add_argument("--model", default="gru", choices=["rnn", "gru", "lstm", "transformer"])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="EMBER_NUM_THREADS and torch.set_num_threads (default 2)")
    parser.add_argument("--max-tokens", type=int, help="passed to ember (default: its recipe's, 10000 for RNNs)")
    parser.add_argument("--validation-fraction", type=float, default=0.0)
    parser.add_argument("--clip", default="d2l", choices=["d2l", "torch"],
                        help="d2l's grad_clipping (default) or torch.nn.utils.clip_grad_norm_ (Ember's formula)")
    parser.add_argument("--out", help="Ember's output folder (default: a temporary one)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    out = args.out or tempfile.mkdtemp(prefix="lm-parity-")
    checkpoint, ember_steps, ember_wall = run_ember(args, out)
    ember_ppl, ember_val = checkpoint["perplexity"], checkpoint["validation_loss"]

    twin_start = time.perf_counter()
    transformer = args.model == "transformer"
    max_tokens = args.max_tokens if args.max_tokens is not None else (-1 if transformer else 10000)
    corpus, vocab = load_corpus_time_machine(BOOK, max_tokens)
    if vocab.idx_to_token != list(checkpoint["vocab"]):
        sys.exit("the twin's vocabulary differs from Ember's")
    held = int(math.floor(len(corpus) * args.validation_fraction + 0.5))
    train_corpus, val_corpus = corpus[:len(corpus) - held], corpus[len(corpus) - held:]
    batch_size, num_steps = 32, checkpoint["num_steps"]
    torch.manual_seed(args.seed)
    if transformer:
        net = TransformerLM(len(vocab), context=num_steps)
    else:
        layer = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[args.model](len(vocab), checkpoint["hidden"])
        net = RNNModel(layer, len(vocab))
    initial = torch.load(os.path.join(out, "replay", "initial_model.pt"), weights_only=True)
    seeded = {k: v.clone() for k, v in net.state_dict().items()}
    net.load_state_dict(initial)
    same_init = all(torch.equal(seeded[k], initial[k]) for k in initial)
    with open(os.path.join(out, "replay", "offsets.txt")) as f:
        offsets = [int(line) for line in f if line.strip()]
    if transformer:
        updater = torch.optim.AdamW(net.parameters(), lr=1e-3)
    else:
        updater = torch.optim.SGD(net.parameters(), lr=1)
    torch_ppl, torch_val, torch_steps = [], [], 0.0
    for epoch in range(args.epochs):
        batches = list(seq_data_iter_sequential(train_corpus, batch_size, num_steps, offsets[epoch]))
        ppl, seconds = train_epoch_ch8(net, batches, updater, args.clip)
        torch_ppl.append(ppl)
        torch_steps += seconds
        if held:
            torch_val.append(validation_loss(net, val_corpus, batch_size, num_steps))
    torch_wall = time.perf_counter() - twin_start

    print(f"{args.model}, {args.epochs} epochs, {len(train_corpus)} training tokens, clipping: {args.clip}, "
          f"threads {args.threads}; twin's torch.manual_seed({args.seed}) init equals Ember's: {same_init}")
    print(f"{'epoch':>5} {'Ember ppl':>12} {'PyTorch ppl':>12} {'rel diff':>9}" + (f" {'Ember val':>10} {'PyTorch val':>11} {'diff':>8}" if held else ""))
    for e in range(args.epochs):
        line = f"{e + 1:>5} {ember_ppl[e]:>12.4f} {torch_ppl[e]:>12.4f} {ember_ppl[e] / torch_ppl[e] - 1:>+9.2%}"
        if held:
            line += f" {ember_val[e]:>10.4f} {torch_val[e]:>11.4f} {ember_val[e] - torch_val[e]:>+8.4f}"
        print(line)
    first = min(20, args.epochs)
    worst = max(abs(ember_ppl[e] / torch_ppl[e] - 1) for e in range(first))
    print(f"largest relative perplexity difference over the first {first} epochs: {worst:.2%}")
    print(f"training steps: Ember {ember_steps:.2f} s, PyTorch {torch_steps:.2f} s; "
          f"wall: Ember {ember_wall:.2f} s (process), PyTorch {torch_wall:.2f} s (twin, after import)")


if __name__ == "__main__":
    main()
