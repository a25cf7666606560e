"""A recorded Bluesky event stream for the ingest benchmarks: one `#commit` frame per post, as
`com.atproto.sync.subscribeRepos` sends them (DAG-CBOR header and body, the records in a CAR
file of blocks: the signed commit, an MST node, the post), each frame prefixed with its length
(4 bytes, big-endian).

Texts mix common words, hashtags, handles, links and emoji, in six languages (`langs` set
accordingly, a tenth without), a third replies. The brands named are those of
`bench/listening.py`'s queries, drawn so that each set of queries (10, 1,000, 10,000) finds a
few per cent of the posts: brands 0-9 in 3 % of posts, 10-999 in 2 %, 1,000-9,999 in 2 %,
and names no query watches in 5 %.

    .venv/bin/python bench/streamfile.py [--posts 1000000]   # writes bench/results/stream-N.frames
"""

from __future__ import annotations

import argparse
import hashlib
import random
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import libipld

from bench.listening import brand

RESULTS = ROOT / "bench" / "results"
SEED = 20261201

WORDS = {
    "en": "the a to and of in is it for on my with this that at be just so you was we are but have new ride bike bikes "
    "today work commute city road rain morning love great day route time need help anyone know best good way home week "
    "train station park weekend coffee friends traffic lane helmet light chain brake tyre shop repair fast slow",
    "de": "der die das und ist nicht mit auf heute fahrrad radweg arbeit regen morgen stadt wochenende kaffee schnell "
    "langsam kette bremse reifen laden reparatur danke bitte gut schön straße über grüße",
    "fr": "le la les et est pas avec sur aujourd'hui vélo piste travail pluie matin ville week-end café rapide lent "
    "chaîne frein pneu boutique réparation merci très bien été où ça",
    "es": "el la los y es no con en hoy bici carril trabajo lluvia mañana ciudad fin semana café rápido lento cadena "
    "freno rueda tienda reparación gracias muy bien año niño",
    "ja": "今日 自転車 通勤 雨 朝 東京 週末 コーヒー 速い 遅い チェーン ブレーキ タイヤ 店 修理 ありがとう とても 良い",
    "pt": "o a os e é não com em hoje bicicleta ciclovia trabalho chuva manhã cidade fim semana café rápido lento "
    "corrente freio pneu loja conserto obrigado muito bom",
}
LANGS = [("en", 0.55), ("de", 0.1), ("fr", 0.08), ("es", 0.08), ("ja", 0.05), ("pt", 0.04), ("", 0.1)]
EXTRAS = ["🚲", "😀", "❤️", "https://example.com/r/ride", "#bikelife", "#commute", "@friend.bsky.social", "🇩🇪", "!!!", "?"]


def _cid(data: bytes) -> bytes:
    return bytes([1, 0x71, 0x12, 0x20]) + hashlib.sha256(data).digest()


def _link(cid: bytes) -> bytes:
    return b"\xd8\x2a\x58\x25\x00" + cid  # CBOR tag 42: a CID link in DAG-CBOR


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _car(root: bytes, blocks: list[tuple[bytes, bytes]]) -> bytes:
    header = b"\xa2\x65roots\x81" + _link(root) + b"\x67version\x01"
    out = [_varint(len(header)), header]
    for cid, data in blocks:
        out += [_varint(len(cid) + len(data)), cid, data]
    return b"".join(out)


def _text(rng: random.Random, lang: str) -> str:
    words = str.split(WORDS[lang or rng.choice(["en", "de", "fr"])])
    sep = "" if lang == "ja" else " "
    parts = [rng.choice(words) for _ in range(rng.randint(6, 35))]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(EXTRAS))
    roll = rng.random()
    if roll < 0.03:
        index = rng.randrange(10)
    elif roll < 0.05:
        index = rng.randrange(10, 1_000)
    elif roll < 0.07:
        index = rng.randrange(1_000, 10_000)
    elif roll < 0.12:
        index = rng.randrange(60_000, 70_000)  # a name no query watches
    else:
        index = -1
    if index >= 0:
        name = brand(index)
        parts.insert(rng.randrange(len(parts) + 1), rng.choice([name, f"#{name}", f"@{name}.bsky.social", f"{name}s", name.upper()]))
        if rng.random() < 0.5:  # the words the queries' NEAR and AND parts look for
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(["bike", "ride", "commute", "chain", "repair", "love", "brakes"]))
    return sep.join(parts)


def frames(count: int, seed: int = SEED) -> Iterator[bytes]:
    rng = random.Random(seed)
    authors = [f"did:plc:{hashlib.sha256(str(i).encode()).hexdigest()[:24]}" for i in range(50_000)]
    weights = [lang for lang, share in LANGS for _ in range(int(share * 100))]
    recent: list[str] = []
    header = libipld.encode_dag_cbor({"op": 1, "t": "#commit"})
    for seq in range(1, count + 1):
        repo = rng.choice(authors)
        lang = rng.choice(weights)
        rkey = f"3l{seq:011d}"
        when = f"2026-12-01T{(seq // 3600) % 24:02d}:{(seq // 60) % 60:02d}:{seq % 60:02d}.{seq % 1000:03d}Z"
        record: dict[str, object] = {"$type": "app.bsky.feed.post", "text": _text(rng, lang), "createdAt": when}
        if lang:
            record["langs"] = [lang]
        if recent and rng.random() < 0.3:
            parent = rng.choice(recent)
            record["reply"] = {"root": {"uri": parent, "cid": "bafyrei" + "a" * 52}, "parent": {"uri": parent, "cid": "bafyrei" + "a" * 52}}
        data = libipld.encode_dag_cbor(record)
        post_cid = _cid(data)
        mst = libipld.encode_dag_cbor({"l": None, "e": [{"k": f"app.bsky.feed.post/{rkey}".encode(), "p": 0, "t": None, "v": b""}]})
        mst = mst.replace(b"\x61v\x40", b"\x61v" + _link(post_cid))
        commit = libipld.encode_dag_cbor({"did": repo, "rev": rkey, "sig": rng.randbytes(64), "version": 3, "data": None, "prev": None})
        commit_cid, mst_cid = _cid(commit), _cid(mst)
        op_link, commit_link = b"\x00" + b"\xdd" * 36, b"\x00" + b"\xee" * 36  # replaced by the links below
        body = libipld.encode_dag_cbor(
            {
                "seq": seq,
                "rev": rkey,
                "repo": repo,
                "time": when,
                "since": None,
                "tooBig": False,
                "rebase": False,
                "blobs": [],
                "commit": commit_link,
                "ops": [{"action": "create", "path": f"app.bsky.feed.post/{rkey}", "cid": op_link}],
                "blocks": _car(commit_cid, [(commit_cid, commit), (mst_cid, mst), (post_cid, data)]),
            }
        )
        # The two CID fields as links (tag 42), as the stream sends them.
        body = body.replace(b"\x58\x25" + op_link, _link(post_cid)).replace(b"\x58\x25" + commit_link, _link(commit_cid))
        if len(recent) < 1000:
            recent.append(f"at://{repo}/app.bsky.feed.post/{rkey}")
        elif rng.random() < 0.05:
            recent[rng.randrange(1000)] = f"at://{repo}/app.bsky.feed.post/{rkey}"
        yield header + body


def path_for(count: int) -> Path:
    return RESULTS / f"stream-{count}.frames"


def ensure(count: int) -> Path:
    """The file of `count` frames, written once (the same seed gives the same bytes)."""
    path = path_for(count)
    if path.exists():
        return path
    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for frame in frames(count):
            out.write(struct.pack(">I", len(frame)))
            out.write(frame)
    partial.rename(path)
    return path


def read(path: Path, limit: int | None = None) -> Iterator[bytes]:
    """The frames of a recorded file, in order."""
    with path.open("rb") as f:
        data = f.read()
    offset, n = 0, 0
    while offset < len(data) and (limit is None or n < limit):
        (size,) = struct.unpack_from(">I", data, offset)
        yield data[offset + 4 : offset + 4 + size]
        offset += 4 + size
        n += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    print(ensure(parser.parse_args().posts))
