"""RFC 3161 trusted timestamps: issue (test TSA) and verify.

A timestamp token is a CMS ``SignedData`` whose content is a ``TSTInfo``: the
TSA signs "this message imprint (a digest) existed at ``genTime``".  For
evidence the imprint is the evidence file's digest, so a valid token proves the
file existed no later than ``genTime`` — independently of the court's log.

Issuing — :func:`issue_timestamp` (and :func:`respond` for a DER
``TimeStampReq``) produce a real RFC 3161 ``TimeStampResp`` signed by a TSA
certificate (in practice the TEST TSA of :mod:`ruledsl.evidence.pki`):
``TSTInfo`` v1 with policy, imprint, serial, genTime, accuracy and optional
nonce; signed attributes content-type, message-digest, signing-time and
ESS ``signingCertificateV2`` (RFC 5816); the TSA certificate and its issuing CA
in the ``certificates`` field.

Verifying — :func:`verify_timestamp` takes a ``TimeStampResp`` or a bare token
(either may be what a bundle's ``timestamp.tsr`` holds) and checks, offline:
the CMS signature over the ``TSTInfo``; the message imprint against the
evidence (the file itself when available, else the digest the log anchored);
the TSA certificate's time-stamping key usage and its chain to the configured
trust store (pyhanko-certvalidator).  The result is a :class:`TimestampResult`
with plain-word findings.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ruledsl.core.errors import MalformedError
from ruledsl.evidence.findings import FAILED, OK, Finding, failed, ok, warning, worst
from ruledsl.evidence.pki import TEST_LABEL, Issued, TrustStore

#: the test TSA's policy: a UUID OID (X.667, no registration needed), fixed so tokens are reproducible
TEST_POLICY = "2.25." + str(uuid.uuid5(uuid.NAMESPACE_URL, "ruledsl:test-tsa-policy").int)
IMPRINT_ALGS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
MAX_TOKEN = 1 << 20


def quiet_pyhanko() -> None:
    """pyhanko logs every failed path build with a traceback; a verifier reports findings instead."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        lg = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in lg.handlers):
            lg.addHandler(logging.NullHandler())


def subject_of(cert) -> str:  # type: ignore[no-untyped-def]
    """RFC 4514 subject of an asn1crypto or cryptography certificate."""
    from cryptography import x509 as cx509

    if not isinstance(cert, cx509.Certificate):
        cert = cx509.load_der_x509_certificate(cert.dump())
    return cert.subject.rfc4514_string()


def _asn1():  # type: ignore[no-untyped-def]
    """asn1crypto's modules, with the PDF CMS attribute types registered before anything uses CMS.

    (asn1crypto builds an OID type's reverse map the first time the type is used; a type
    registered after that — ``asn1crypto.pdf`` registers Adobe's revocation-info attribute,
    which pyhanko signs with — would stay unknown to it for the rest of the process.)
    """
    try:
        from asn1crypto import algos, cms, core, pdf, tsp, x509  # noqa: F401 — pdf: see above
    except ModuleNotFoundError as exc:  # the `pdf` extra
        raise MalformedError.of(
            "timestamps need the `pdf` extra", hint="pip install 'ruledsl[pdf]'"
        ) from exc
    return algos, cms, core, tsp, x509


# ----------------------------------------------------------------------------- issuing


def _cert_asn1(cert):  # type: ignore[no-untyped-def]
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import serialization

    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def issue_timestamp(
    tsa: Issued,
    digest: bytes,
    hash_alg: str = "sha256",
    *,
    chain: Sequence = (),
    gen_time: datetime | None = None,
    serial: int | None = None,
    nonce: int | None = None,
    policy: str = TEST_POLICY,
    include_certs: bool = True,
) -> bytes:
    """A DER ``TimeStampResp`` (status granted) whose token stamps ``digest`` at ``gen_time``.

    ``chain`` — further certificates to include (the TSA's issuing CA).  Deterministic for
    fixed inputs: ECDSA signatures use RFC 6979 nonces.
    """
    _, cms, core, tsp, x509 = _asn1()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    if hash_alg not in IMPRINT_ALGS:
        raise MalformedError.of(f"timestamp imprint algorithm {hash_alg!r} is not supported",
                                hint=", ".join(IMPRINT_ALGS))
    if len(digest) != IMPRINT_ALGS[hash_alg]().digest_size:
        raise MalformedError.of(f"a {hash_alg} digest is {IMPRINT_ALGS[hash_alg]().digest_size} bytes, "
                                f"got {len(digest)}")
    when = (gen_time or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    if serial is None:
        serial = int.from_bytes(hashlib.sha256(digest + when.isoformat().encode()).digest()[:15], "big")
    tsa_cert = _cert_asn1(tsa.cert)
    info = {
        "version": "v1",
        "policy": policy,
        "message_imprint": {"hash_algorithm": {"algorithm": hash_alg}, "hashed_message": digest},
        "serial_number": serial,
        "gen_time": when,
        "accuracy": {"seconds": 1},
        "ordering": False,
        "tsa": x509.GeneralName(name="directory_name", value=tsa_cert.subject),
    }
    if nonce is not None:
        info["nonce"] = nonce
    tst_info = tsp.TSTInfo(info)
    econtent = tst_info.dump()
    ess = tsp.SigningCertificateV2({
        "certs": [{
            "cert_hash": hashlib.sha256(tsa_cert.dump()).digest(),
            "issuer_serial": {
                "issuer": [x509.GeneralName(name="directory_name", value=tsa_cert.issuer)],
                "serial_number": tsa_cert.serial_number,
            },
        }]
    })
    signed_attrs = cms.CMSAttributes([
        {"type": "content_type", "values": ["tst_info"]},
        {"type": "signing_time", "values": [cms.Time({"utc_time": when})]},
        {"type": "message_digest", "values": [hashlib.sha256(econtent).digest()]},
        {"type": "signing_certificate_v2", "values": [ess]},
    ])
    signature = tsa.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    certs = [tsa_cert, *(_cert_asn1(c) for c in chain)] if include_certs else []
    signed_data = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(econtent)},
        "certificates": certs or None,
        "signer_infos": [{
            "version": "v1",
            "sid": {"issuer_and_serial_number": {"issuer": tsa_cert.issuer,
                                                 "serial_number": tsa_cert.serial_number}},
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": signed_attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        }],
    })
    if not certs:
        del signed_data["certificates"]
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    resp = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
    return resp.dump()


def timestamp_request(digest: bytes, hash_alg: str = "sha256", nonce: int | None = None,
                      cert_req: bool = True) -> bytes:
    """A DER ``TimeStampReq`` (RFC 3161 §2.4.1) for ``digest``."""
    _, _, _, tsp, _ = _asn1()
    req = {"version": "v1", "message_imprint": {"hash_algorithm": {"algorithm": hash_alg}, "hashed_message": digest},
           "cert_req": cert_req}
    if nonce is not None:
        req["nonce"] = nonce
    return tsp.TimeStampReq(req).dump()


def respond(tsa: Issued, request: bytes, chain: Sequence = (), gen_time: datetime | None = None) -> bytes:
    """Answer a DER ``TimeStampReq`` as a TSA would (rejection responses for bad requests)."""
    _, _, _, tsp, _ = _asn1()

    def rejection(fail: str, text: str) -> bytes:
        # TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL } — no token here
        from asn1crypto import core

        status = tsp.PKIStatusInfo({"status": "rejection", "status_string": [text], "fail_info": {fail}})
        return core.Sequence(contents=status.dump()).dump()

    try:
        req = tsp.TimeStampReq.load(request)
        alg = req["message_imprint"]["hash_algorithm"]["algorithm"].native
        digest = req["message_imprint"]["hashed_message"].native
        nonce = req["nonce"].native
        cert_req = bool(req["cert_req"].native)
    except Exception:  # asn1crypto raises several types on bad DER
        return rejection("bad_data_format", "not a TimeStampReq")
    if alg not in IMPRINT_ALGS:
        return rejection("bad_alg", f"unsupported hash algorithm {alg}")
    if len(digest) != IMPRINT_ALGS[alg]().digest_size:
        return rejection("bad_data_format", "digest length does not match its algorithm")
    return issue_timestamp(tsa, digest, alg, chain=chain, gen_time=gen_time, nonce=nonce, include_certs=cert_req)


# ----------------------------------------------------------------------------- parsing


def response_status(data: bytes) -> tuple[str, list[str]]:
    """(PKIStatus, status strings) of a DER ``TimeStampResp`` — also one without a token (a rejection),
    which asn1crypto's ``TimeStampResp`` will not parse."""
    _, _, core, tsp, _ = _asn1()

    try:
        seq = core.Sequence.load(data, strict=True)
        info = tsp.PKIStatusInfo.load(seq[0].dump())
        return info["status"].native, list(info["status_string"].native or [])
    except Exception:  # not DER, or not a TimeStampResp
        raise MalformedError.of("not an RFC 3161 timestamp token or response") from None


def token_of(data: bytes):  # type: ignore[no-untyped-def]
    """The token (``ContentInfo``) in ``data`` — a ``TimeStampResp`` or a bare token."""
    _, cms, _, tsp, _ = _asn1()
    if not data or len(data) > MAX_TOKEN:
        raise MalformedError.of("timestamp token is empty or too large")
    try:
        ci = cms.ContentInfo.load(data, strict=True)
        if ci["content_type"].native == "signed_data":
            ci["content"].native  # noqa: B018 — parse fully now
            return ci
    except Exception:  # not a ContentInfo — try a TimeStampResp
        pass
    status, texts = response_status(data)
    if status not in ("granted", "granted_with_mods"):
        raise MalformedError.of(f"the TSA refused the request ({status}): {'; '.join(texts)}")
    try:
        token = tsp.TimeStampResp.load(data, strict=True)["time_stamp_token"]
        if token.native is None or token["content_type"].native != "signed_data":
            raise MalformedError.of("timestamp response holds no token")
    except MalformedError:
        raise
    except Exception:  # damaged DER inside the response
        raise MalformedError.of("the timestamp response does not parse") from None
    return token


def tst_info(data: bytes):  # type: ignore[no-untyped-def]
    """(SignedData, TSTInfo) of a token or response, fully parsed; :class:`MalformedError` otherwise."""
    _, _, core, tsp, _ = _asn1()

    token = token_of(data)
    try:
        sd = token["content"]
        eci = sd["encap_content_info"]
        if eci["content_type"].native != "tst_info":
            raise MalformedError.of("the token's content is not a TSTInfo")
        content = eci["content"]
        info = content.parsed if isinstance(content, core.ParsableOctetString) else None
        if not isinstance(info, tsp.TSTInfo):
            info = tsp.TSTInfo.load(content.native)
        info.native  # noqa: B018 — parse every field now, not lazily later
        sd["signer_infos"].native  # noqa: B018
    except MalformedError:
        raise
    except Exception:  # asn1crypto raises ValueError/TypeError/… on damaged DER
        raise MalformedError.of("the token's TSTInfo does not parse") from None
    return sd, info


# ----------------------------------------------------------------------------- verifying


@dataclass
class TimestampResult:
    """What a timestamp token says and how much of it checked out."""

    gen_time: datetime | None = None
    tsa: str | None = None  # subject of the TSA certificate
    serial: int | None = None
    policy: str | None = None
    imprint_alg: str | None = None
    imprint: str | None = None  # hex
    intact: bool = False  # the TSA's signature over the TSTInfo verifies
    imprint_matches: bool | None = None  # None: nothing to compare with
    trusted: bool | None = None  # None: no trust store given
    test_tsa: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        return worst(self.findings)

    @property
    def valid(self) -> bool:
        """Intact, matching the evidence, and chained to a trusted root."""
        return self.intact and self.imprint_matches is True and self.trusted is True

    def as_dict(self) -> dict[str, object]:
        return {
            "gen_time": self.gen_time.isoformat() if self.gen_time else None,
            "tsa": self.tsa, "serial": self.serial, "policy": self.policy,
            "imprint": f"{self.imprint_alg}:{self.imprint}" if self.imprint else None,
            "intact": self.intact, "imprint_matches": self.imprint_matches, "trusted": self.trusted,
            "test_tsa": self.test_tsa, "status": self.status, "valid": self.valid,
            "findings": [f.as_dict() for f in self.findings],
        }


def _validation_context(trust: TrustStore, certs: Sequence, moment: datetime | None = None):  # type: ignore[no-untyped-def]
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=trust.asn1(), other_certs=list(certs), allow_fetching=False,
                             revocation_mode="soft-fail", moment=moment)


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def verify_timestamp(
    data: bytes,
    trust: TrustStore,
    *,
    evidence: bytes | None = None,
    digest: tuple[str, bytes] | None = None,
) -> TimestampResult:
    """Check a token against the evidence (``evidence`` bytes, or ``digest`` = (alg, raw digest))."""
    res = TimestampResult()
    try:
        sd, info = tst_info(data)
    except MalformedError as exc:
        res.findings.append(failed(f"The timestamp token cannot be read: {exc.diagnostics[0].message}."))
        return res
    res.gen_time = info["gen_time"].native
    res.serial = info["serial_number"].native
    res.policy = info["policy"].dotted
    res.imprint_alg = info["message_imprint"]["hash_algorithm"]["algorithm"].native
    imprint = info["message_imprint"]["hashed_message"].native
    res.imprint = imprint.hex()

    # 1. the imprint against the evidence
    expected: bytes | None = None
    if evidence is not None and res.imprint_alg in IMPRINT_ALGS:
        expected = IMPRINT_ALGS[res.imprint_alg](evidence).digest()
        what = "the evidence file"
    elif digest is not None and digest[0] == res.imprint_alg:
        expected = digest[1]
        what = "the anchored evidence digest"
    if expected is None:
        res.findings.append(warning(
            f"The token stamps a {res.imprint_alg} digest; there is no evidence file or {res.imprint_alg} "
            "digest here to compare it with."))
    else:
        res.imprint_matches = expected == imprint
        res.findings.append(
            ok(f"The token's message imprint ({res.imprint_alg}) equals the digest of {what}.")
            if res.imprint_matches else
            failed(f"The token's message imprint does not match {what}: the token stamps other data."))

    # 2. signature and chain
    quiet_pyhanko()
    from pyhanko.sign.general import extract_certificate_info
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    try:
        certs = extract_certificate_info(sd)
        signer_cert = certs.signer_cert
        res.tsa = subject_of(signer_cert)
        res.test_tsa = TEST_LABEL in res.tsa
        vc = _validation_context(trust, certs.other_certs)
        status = _run(validate_tst_signed_data(sd, vc, lambda _alg: imprint))
    except Exception as exc:  # pyhanko raises its own error types and asn1crypto's on bad input
        res.findings.append(failed(f"The TSA signature on the token could not be checked: {_reason(exc)}."))
        return res
    res.intact = bool(status.get("intact")) and bool(status.get("valid"))
    if res.intact:
        res.findings.append(ok(f"The TSA's signature over the token is valid (signed by {res.tsa})."))
    else:
        res.findings.append(failed("The TSA's signature over the token does not verify: the token was altered."))
    path = status.get("validation_path")
    if not trust:
        res.trusted = None
        res.findings.append(warning("No trust store was given, so the TSA certificate chain was not checked."))
    elif res.intact:
        res.trusted = path is not None and status.get("trust_problem_indic") is None
        if res.trusted:
            res.findings.append(ok("The TSA certificate chains to a trusted root: "
                                   f"{_anchor(path)}."))
        else:
            res.findings.append(failed("The TSA certificate does not chain to a root in the trust store "
                                       f"({_indic(status.get('trust_problem_indic'))})."))
    if res.test_tsa:
        res.findings.append(warning("The TSA is the local TEST TSA (TEST — NOT FOR PRODUCTION)."))
    if res.gen_time is not None and res.status != FAILED:
        res.findings.append(ok(f"The TSA states the evidence existed at {res.gen_time.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC."))
    return res


def _anchor(path) -> str:  # type: ignore[no-untyped-def]
    try:
        return subject_of(path.trust_anchor.authority.certificate)
    except AttributeError:
        return path.trust_anchor.authority.name.human_friendly


def _indic(indic) -> str:  # type: ignore[no-untyped-def]
    if indic is None:
        return "no trust path"
    return str(getattr(indic, "name", indic)).replace("_", " ").lower()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.rstrip(".")[:300]


def summary(res: TimestampResult) -> str:
    if res.status == OK or (res.intact and res.imprint_matches and res.status != FAILED):
        return f"timestamped {res.gen_time:%Y-%m-%d %H:%M:%S %Z} by {res.tsa}" if res.gen_time else "timestamped"
    return "timestamp not valid"
