"""Every payload the service hands Temporal is encrypted (AES-GCM, `cryptography`).

The workflow's state and commands hold citizens' phone numbers and e-mail addresses; Temporal
stores them in its history and shows them in its Web UI. With this codec Temporal sees only
ciphertext. Keys come from FORLOEB_PAYLOAD_KEYS ("id:base64-key,id:base64-key"): the first
encrypts, all decrypt, so a key is rotated by putting a new one first and removing the old one
once no running course's history needs it. Payloads written before encryption was turned on
are read as they are, so recorded histories still replay.
"""

import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
NONCE_BYTES = 12


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("no payload key")
        self._current = keys[0][0]
        self._keys = {key_id: AESGCM(key) for key_id, key in keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._keys[self._current]
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), self._current.encode())
            encoded.append(
                Payload(
                    metadata={"encoding": ENCODING, "encryption-key-id": self._current.encode()},
                    data=nonce + sealed,
                )
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)  # written before encryption was turned on
                continue
            key_id = payload.metadata["encryption-key-id"].decode()
            cipher = self._keys.get(key_id)
            if cipher is None:
                raise ValueError(f"unknown payload key {key_id}; is it still in the settings?")
            nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
            decoded.append(Payload.FromString(cipher.decrypt(nonce, sealed, key_id.encode())))
        return decoded
