"""Train the tokenizer and the classifier on CPU, then calibrate: `python -m models.train`.

Writes models/weights/ (config.json, model.safetensors, tokenizer files, calibration.json).
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import torch
from tokenizers import Regex, Tokenizer, decoders, models as tmodels, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from models import corpus, data
from models.net import SETTINGS, ClaimNet, count_params, make_config
from models.vocab import LANGS, TYPES, phrases

WEIGHTS = Path(__file__).resolve().parent / "weights"
SEEDS = data.ROOT.parent / "shared" / "seeds"
MAX_DOC, MAX_LINE = 256, 32


def train_tokenizer(texts: list[str], vocab_size: int) -> PreTrainedTokenizerFast:
    tok = Tokenizer(tmodels.WordPiece(unk_token="[UNK]"))
    # drop Latin accents only (OCR loses them); Thai marks are kept
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.Replace(Regex("[\u0300-\u036f]"), ""),
                                           normalizers.Lowercase(), normalizers.NFC()])
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=special))
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")


def tokenizer_texts(docs: list[dict]) -> list[str]:
    texts = [d["text"] for d in docs]
    texts += [p for code in TYPES for lang in LANGS for p in phrases(code, lang)]
    for f in sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []:
        texts += f.read_text(errors="ignore").splitlines()
    return texts


def encode(tok, texts: list[str], max_len: int) -> dict:
    return tok(texts, truncation=True, max_length=max_len, padding=True, return_tensors="pt")


def batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (less padding), in random order."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    idx.sort(key=lambda i: lengths[i] + rng.random() * 8)
    out = [idx[i:i + size] for i in range(0, len(idx), size)]
    rng.shuffle(out)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1600)
    ap.add_argument("--lines", type=int, default=3000)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    args = ap.parse_args(argv)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    rng = random.Random(0)
    t0 = time.time()
    sets = data.splits(n_train=args.docs)
    train = sets["train"]
    print(f"corpus: {len(train)} train docs, {len(sets['calib'])} calib, {len(sets['test'])} test, "
          f"{len(sets['gen_test'])} generator test ({time.time() - t0:.0f}s)")
    tok = train_tokenizer(tokenizer_texts(train), args.vocab)
    countries = sorted(set(corpus.COUNTRY_CODES) | {d["fields"]["country"] for d in train if d["fields"]["country"]})
    cfg = make_config(len(tok), TYPES, countries)
    model = ClaimNet(cfg)
    print(f"model: {count_params(model) / 1e6:.2f}M parameters, vocab {len(tok)}")

    t_idx = {c: i for i, c in enumerate(TYPES)}
    s_idx = {c: i for i, c in enumerate(SETTINGS)}
    c_idx = {c: i for i, c in enumerate(countries)}
    docs = [d for d in train if d["fields"]["treatment_type"] in t_idx and d["fields"]["setting"] in s_idx]
    lines = [(li["description"], li["treatment_type"]) for d in docs for li in d["fields"]["line_items"]
             if li.get("treatment_type") in t_idx]
    lines += corpus.extra_lines(args.lines, 11)
    dx = encode(tok, [d["text"] for d in docs], MAX_DOC)
    dy = (torch.tensor([t_idx[d["fields"]["treatment_type"]] for d in docs]),
          torch.tensor([s_idx[d["fields"]["setting"]] for d in docs]),
          torch.tensor([c_idx.get(d["fields"]["country"], -100) for d in docs]))
    lx = encode(tok, [t for t, _ in lines], MAX_LINE)
    ly = torch.tensor([t_idx[c] for _, c in lines])
    dlen, llen = dx["attention_mask"].sum(1).tolist(), lx["attention_mask"].sum(1).tolist()
    print(f"{len(docs)} docs, {len(lines)} lines")

    steps = args.epochs * (len(docs) // 32 + len(lines) // 64 + 2)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    ce = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.05)
    model.train()
    for ep in range(args.epochs):
        plan = [("d", b) for b in batches(dlen, 32, rng)] + [("l", b) for b in batches(llen, 64, rng)]
        rng.shuffle(plan)
        total, t1 = 0.0, time.time()
        for kind, b in plan:
            bi = torch.tensor(b)
            if kind == "d":
                ids, mask = dx["input_ids"][bi], dx["attention_mask"][bi]
                n = int(mask.sum(1).max())
                tl, sl, cl = model(ids[:, :n], mask[:, :n])
                loss = ce(tl, dy[0][bi]) + ce(sl, dy[1][bi]) + 2 * ce(cl, dy[2][bi])
            else:
                ids, mask = lx["input_ids"][bi], lx["attention_mask"][bi]
                n = int(mask.sum(1).max())
                tl, _, _ = model(ids[:, :n], mask[:, :n])
                loss = ce(tl, ly[bi])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if sched.last_epoch < steps - 1:
                sched.step()
            total += float(loss.detach())
        print(f"epoch {ep + 1}: loss {total / len(plan):.3f} ({time.time() - t1:.0f}s)", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(args.out, safe_serialization=True)
    tok.save_pretrained(args.out)
    print(f"saved to {args.out} ({time.time() - t0:.0f}s total)")
    from models.calibrate import calibrate
    calibrate(sets["calib"], args.out)


if __name__ == "__main__":
    main()
