"""Pack the Chromium build into a signed CRX3 with its update manifest, for intranet hosting.

    python -m companion.deploy.crx [--key FILE] [--source dist/chromium] [--out dist/crx]
                                   [--codebase-url URL]

CRX3 layout: ``"Cr24"``, version 3 and the header length (little-endian uint32), a
``CrxFileHeader`` protobuf, then the ZIP archive. The header carries one
``sha256_with_rsa`` proof (public key and signature) and ``signed_header_data``, a
``SignedData`` message holding the 16-byte crx_id. The signature covers
``b"CRX3 SignedData\\x00" + len(signed_header_data) (uint32 LE) + signed_header_data + ZIP``.
The extension ID is the crx_id written with the letters a-p, so it follows the key: the
deploying organisation's key gives its own ID, which ``[policy] allowed_extension_ids`` must
name. Without ``--key`` a development key is created under ``keys/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import struct
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = Path(__file__).resolve().parents[2]
DEV_KEY = ROOT / "keys" / "dev-extension-key.pem"
MAGIC = b"Cr24"
SIGNATURE_CONTEXT = b"CRX3 SignedData\x00"
# CrxFileHeader / AsymmetricKeyProof / SignedData field numbers (components/crx_file/crx3.proto)
SHA256_WITH_RSA, SIGNED_HEADER_DATA = 2, 10000
PUBLIC_KEY, SIGNATURE = 1, 2
CRX_ID = 1
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed, so the same sources give the same archive


# --- minimal protobuf: length-delimited fields only ------------------------------------

def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def length_delimited(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


# --- keys and IDs -----------------------------------------------------------------------

def public_key_der(key: rsa.RSAPrivateKey) -> bytes:
    """SubjectPublicKeyInfo DER: what the CRX header and the manifest ``key`` carry."""
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def crx_id(public_der: bytes) -> bytes:
    return hashlib.sha256(public_der).digest()[:16]


def extension_id(public_der: bytes) -> str:
    """Chromium's extension ID: the first 128 bits of SHA-256(key), hex digits mapped to a-p."""
    return "".join(chr(ord("a") + int(d, 16)) for d in crx_id(public_der).hex())


def load_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SystemExit(f"crx: {path}: cannot read an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SystemExit(f"crx: {path}: the key must be RSA (Chromium's sha256_with_rsa proof)")
    return key


def create_dev_key(path: Path) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


# --- archive, header, update manifest ---------------------------------------------------

def zip_extension(source: Path, public_der: bytes) -> bytes:
    """A deterministic ZIP of ``source`` whose manifest ``key`` is the signing key."""
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest["key"] = base64.b64encode(public_der).decode("ascii")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            name = path.relative_to(source).as_posix()
            data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode() if name == "manifest.json" \
                else path.read_bytes()
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def crx3(archive: bytes, key: rsa.RSAPrivateKey) -> bytes:
    public_der = public_key_der(key)
    signed_data = length_delimited(CRX_ID, crx_id(public_der))
    message = SIGNATURE_CONTEXT + struct.pack("<I", len(signed_data)) + signed_data + archive
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    proof = length_delimited(PUBLIC_KEY, public_der) + length_delimited(SIGNATURE, signature)
    header = length_delimited(SHA256_WITH_RSA, proof) + length_delimited(SIGNED_HEADER_DATA, signed_data)
    return MAGIC + struct.pack("<II", 3, len(header)) + header + archive


def update_manifest(ext_id: str, version: str, codebase: str) -> str:
    """The gupdate XML Chromium browsers poll at the forcelist's update URL."""
    return ("<?xml version='1.0' encoding='UTF-8'?>\n"
            "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n"
            f"  <app appid={quoteattr(ext_id)}>\n"
            f"    <updatecheck codebase={quoteattr(codebase)} version={quoteattr(version)} />\n"
            "  </app>\n"
            "</gupdate>\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py crx", description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", type=Path, help=f"RSA private key (PEM); default: {DEV_KEY.relative_to(ROOT)}, "
                                                 "created when missing")
    parser.add_argument("--source", type=Path, default=ROOT / "dist" / "chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "crx")
    parser.add_argument("--codebase-url", default="https://intranet.example/secondlook/",
                        help="where the .crx and updates.xml will be served (folder URL)")
    args = parser.parse_args(argv)
    if not (args.source / "manifest.json").is_file():
        raise SystemExit(f"crx: {args.source}/manifest.json missing; run `python3 build.py extension` first")
    if args.key:
        key = load_key(args.key)
    elif DEV_KEY.exists():
        key = load_key(DEV_KEY)
    else:
        key = create_dev_key(DEV_KEY)
        print(f"created a development signing key {DEV_KEY} (keep it; do not use it for deployment)")
    public_der = public_key_der(key)
    ext_id = extension_id(public_der)
    version = json.loads((args.source / "manifest.json").read_text(encoding="utf-8"))["version"]
    base = args.codebase_url if args.codebase_url.endswith("/") else args.codebase_url + "/"
    crx_name = f"secondlook-{version}.crx"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / crx_name).write_bytes(crx3(zip_extension(args.source, public_der), key))
    (args.out / "updates.xml").write_text(update_manifest(ext_id, version, base + crx_name), encoding="utf-8")
    print(f"wrote {args.out / crx_name} and {args.out / 'updates.xml'}")
    print(f"extension ID: {ext_id}")
    print(f"  [policy] allowed_extension_ids must name {ext_id} (config or managed policy),")
    print(f"  and the browser policy must force-install {ext_id};{base}updates.xml "
          f"(python3 build.py policies --id {ext_id} --update-url {base}updates.xml)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
