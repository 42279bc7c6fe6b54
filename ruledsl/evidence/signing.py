"""Producing signed documents: PDF signatures (pyhanko) and detached CMS (cryptography).

Used by the demo builder and the tests, with the TEST PKI of
:mod:`ruledsl.evidence.pki`; a lender or notary would sign with its own
certificate the same way.  Verification lives in
:mod:`ruledsl.evidence.signatures` and shares no code with this module: CMS
signatures are made with ``cryptography`` (OpenSSL) and checked with pyhanko.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from ruledsl.evidence.pki import Issued
from ruledsl.evidence.tsa import quiet_pyhanko


def sign_detached_cms(data: bytes, signer: Issued, chain: Sequence[x509.Certificate] = (),
                      signing_time: datetime | None = None) -> bytes:
    """A DER detached CMS ``SignedData`` over ``data`` (signing-time attribute included).

    OpenSSL sets the signing time to now; to date a signature in the past (the demo) pass
    ``signing_time`` and the signature is re-made with pyhanko's CMS signer instead.
    """
    if signing_time is None:
        b = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(signer.cert, signer.key, hashes.SHA256())
        for c in chain:
            b = b.add_certificate(c)
        return b.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                                   pkcs7.PKCS7Options.Binary])
    import asyncio

    from pyhanko.sign.signers.pdf_cms import CMSSignedAttributes

    s = _pyhanko_signer(signer, chain)
    sd = asyncio.run(s.async_sign_general_data(
        io.BytesIO(data), "sha256", detached=True,
        signed_attr_settings=CMSSignedAttributes(signing_time=signing_time),
    ))
    return sd.dump()


def _pyhanko_signer(signer: Issued, chain: Sequence[x509.Certificate]):  # type: ignore[no-untyped-def]
    from asn1crypto import keys
    from asn1crypto import x509 as ax509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def a(c: x509.Certificate) -> ax509.Certificate:
        return ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    from cryptography.hazmat.primitives.asymmetric import ec

    key = keys.PrivateKeyInfo.load(signer.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    class _Deterministic(signers.SimpleSigner):
        """ECDSA with RFC 6979 nonces, so that a signature over the same bytes is the same bytes."""

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            hash_algo = getattr(hashes, digest_algorithm.upper().replace("_", ""))()
            return signer.key.sign(data, ec.ECDSA(hash_algo, deterministic_signing=True))

    return _Deterministic(signing_cert=a(signer.cert), signing_key=key,
                          cert_registry=SimpleCertificateStore.from_certs([a(c) for c in chain]))


def _dated(meta, when: datetime):  # type: ignore[no-untyped-def]
    """pyhanko stamps ModDate/xmp:ModifyDate with the wall clock; a dated signature uses its own time."""
    import dataclasses

    class _Dated(type(meta)):  # type: ignore[misc]
        def __setattr__(self, key: str, value: object) -> None:
            super().__setattr__(key, when if key == "last_modified" and value == "now" else value)

    return _Dated(**{f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)})


def sign_pdf(
    pdf: bytes,
    signer: Issued,
    chain: Sequence[x509.Certificate] = (),
    *,
    signing_time: datetime | None = None,
    field_name: str = "Signature1",
    reason: str | None = None,
    location: str | None = None,
    crls: Sequence[bytes] = (),
    trust_roots: Sequence[x509.Certificate] = (),
) -> bytes:
    """``pdf`` with an approval signature appended as an incremental update.

    ``crls`` with ``trust_roots`` embed revocation data (Adobe ``revocationInfoArchival``
    signed attribute), so that the signature can later be checked offline for revocation.
    """
    from asn1crypto import x509 as ax509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator import ValidationContext

    def a(c: x509.Certificate) -> ax509.Certificate:
        return ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    quiet_pyhanko()
    s = _pyhanko_signer(signer, chain)
    vc = None
    if crls:
        vc = ValidationContext(trust_roots=[a(c) for c in trust_roots], other_certs=[a(c) for c in chain],
                               crls=list(crls), allow_fetching=False, revocation_mode="hard-fail",
                               moment=signing_time)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, location=location, md_algorithm="sha256",
        subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        embed_validation_info=bool(crls), validation_context=vc,
    )

    class _DatedSigner(signers.PdfSigner):
        def init_signing_session(self, pdf_out, existing_fields_only=False):  # type: ignore[no-untyped-def]
            session = super().init_signing_session(pdf_out, existing_fields_only)
            if signing_time is not None:
                session.system_time = signing_time
            return session

    w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if signing_time is not None:  # a dated (demo) signature: make the new revision's ID reproducible too
        from pyhanko.pdf_utils import generic

        # the original's first ID stays (ISO 32000 §14.4); a file without one gets one from its bytes
        id1 = (w.prev.trailer["/ID"][0] if "/ID" in w.prev.trailer
               else generic.ByteStringObject(hashlib.sha256(pdf).digest()[:16]))
        id2 = hashlib.sha256(pdf + signer.cert_der() + signing_time.isoformat().encode()).digest()[:16]
        w._document_id = generic.ArrayObject([id1, generic.ByteStringObject(id2)])
        w._meta = _dated(w._meta, signing_time)
    pdf_signer = _DatedSigner(meta, s, new_field_spec=fields.SigFieldSpec(field_name))
    out = io.BytesIO()
    pdf_signer.sign_pdf(w, output=out)
    return out.getvalue()
