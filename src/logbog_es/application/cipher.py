"""Encryption at rest with key rotation.

Event and snapshot state is encrypted with AES-GCM (the library's cipher, via `cryptography`)
under the current key, LOGBOG_CIPHER_KEY. Stored events never change, so rotating the key does
not re-encrypt them: the old keys stay listed in LOGBOG_CIPHER_PREVIOUS_KEYS (comma-separated),
and decryption tries the current key first, then each previous key. AES-GCM authenticates, so a
wrong key fails cleanly rather than giving garbage. Topics and stream ids are not encrypted.
"""

from __future__ import annotations

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Cipher
from eventsourcing.utils import Environment

CURRENT_KEY = "CIPHER_KEY"
PREVIOUS_KEYS = "CIPHER_PREVIOUS_KEYS"
TOPIC = "logbog_es.application.cipher:RotatingCipher"


class RotatingCipher(Cipher):
    def __init__(self, environment: Environment) -> None:
        self.current = AESCipher(environment)
        self.previous = [
            AESCipher(Environment(env={CURRENT_KEY: key.strip()}))
            for key in (environment.get(PREVIOUS_KEYS) or "").split(",")
            if key.strip()
        ]

    def encrypt(self, plaintext: bytes) -> bytes:
        return self.current.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self.current.decrypt(ciphertext)
        except ValueError:
            for cipher in self.previous:
                try:
                    return cipher.decrypt(ciphertext)
                except ValueError:
                    continue
            raise
