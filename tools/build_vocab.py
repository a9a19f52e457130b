"""Convert the official ``o200k_base.tiktoken`` into the package's compact form.

Usage: python tools/build_vocab.py ../shared/vocab/o200k_base.tiktoken

The ``.tiktoken`` text file stores one ``<base64 token> <rank>`` line per token.
Its ranks are consecutive from 0, so the token bytes in rank order carry all of
its information. We ship them packed (the "FHV2" layout described in
``fastharmony/_vocab.py``): 3.2 MB, no base64 to decode at load time, and
grouped by length so that they load at C speed. The script
refuses to write unless the text file can be rebuilt from the output byte for
byte, and prints the new file's SHA-256 for ``fastharmony/_vocab.py``.
"""

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fastharmony._vocab import (  # noqa: E402
    BUNDLED_VOCAB_PATH,
    O200K_TIKTOKEN_SHA256,
    PackedVocabulary,
    pack_token_bytes,
    parse_tiktoken_file,
    tiktoken_file_from_token_bytes,
)


def main(source: str) -> None:
    text = Path(source).read_bytes()
    if hashlib.sha256(text).hexdigest() != O200K_TIKTOKEN_SHA256:
        sys.exit(f"{source}: not the official o200k_base.tiktoken (hash mismatch)")
    token_bytes = parse_tiktoken_file(text, source)
    if tiktoken_file_from_token_bytes(token_bytes) != text:
        sys.exit("round trip failed: refusing to write")
    packed = pack_token_bytes(token_bytes)
    if tiktoken_file_from_token_bytes(PackedVocabulary(packed, "packed").token_list()) != text:
        sys.exit("the packed form does not rebuild the file: refusing to write")
    BUNDLED_VOCAB_PATH.write_bytes(packed)
    print(f"wrote {BUNDLED_VOCAB_PATH} ({len(packed)} bytes)")
    print(f"BUNDLED_VOCAB_SHA256 = {hashlib.sha256(packed).hexdigest()!r}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/vocab/o200k_base.tiktoken")
