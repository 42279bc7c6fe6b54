"""Certificates: the trust store, and a LOCAL TEST CA and TEST TSA for demos and tests.

Trust store
    :func:`load_trust_store` reads the root certificates a court has decided to
    trust (PEM or DER files, or directories of them).  Signature and timestamp
    verification build chains to these roots only — never to the operating
    system's list.

Test PKI — TEST, NOT FOR PRODUCTION
    :func:`make_test_pki` creates, at run time, a root CA, an issuing CA, a
    time-stamping authority (TSA) and document signers (for example a lender
    signing loan contracts).  Every subject carries
    ``O=TEST — NOT FOR PRODUCTION`` and the CA names say "TEST" in their common
    name, so nothing signed with them can be mistaken for a real certificate.
    Keys are ECDSA P-256.  Given a ``seed`` the whole PKI (keys, serial numbers,
    certificates, CRLs) is deterministic, which keeps the committed demo
    reproducible; without one, keys are random.

    Chain: ``TEST Root CA`` → ``TEST Issuing CA`` → signers and the TSA.  The
    TSA certificate has the critical extended key usage ``id-kp-timeStamping``
    that RFC 3161 §2.3 requires.  The issuing CA can publish a CRL; certificates
    name a distribution point under ``.invalid`` (RFC 2606) that is never
    fetched: verification here is offline and uses revocation data embedded in
    the evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ruledsl.core.errors import MalformedError

TEST_LABEL = "TEST — NOT FOR PRODUCTION"
NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2045, 1, 1, tzinfo=UTC)
CRL_BASE = "http://crl.ruledsl-test-ca.invalid/"
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


# ----------------------------------------------------------------------------- trust store


def _certs_from_bytes(data: bytes, where: str) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise MalformedError.of(f"{where} holds no readable X.509 certificate", hint="PEM or DER") from None


def load_certificates(paths: Iterable[str | Path]) -> list[x509.Certificate]:
    """Certificates from PEM/DER files and directories (``*.pem``, ``*.crt``, ``*.cer``, ``*.der``)."""
    out: list[x509.Certificate] = []
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.suffix.lower() in (".pem", ".crt", ".cer", ".der"))
            if not files:
                raise MalformedError.of(f"trust store directory {p} has no .pem/.crt/.cer/.der files")
        else:
            files = [p]
        for f in files:
            try:
                data = f.read_bytes()
            except OSError as exc:
                raise MalformedError.of(f"cannot read certificate file {f}: {exc.strerror}") from None
            if p.is_dir() and b"PRIVATE KEY-----" in data and b"CERTIFICATE-----" not in data:
                continue  # a key beside the certificates in a directory: not part of the trust store
            out.extend(_certs_from_bytes(data, str(f)))
    return out


@dataclass(frozen=True)
class TrustStore:
    """The roots a verifier trusts.  An empty store checks signatures but trusts no chain."""

    roots: tuple[x509.Certificate, ...] = ()

    @classmethod
    def load(cls, paths: Iterable[str | Path] | None) -> TrustStore:
        return cls(tuple(load_certificates(paths or [])))

    def __bool__(self) -> bool:
        return bool(self.roots)

    def asn1(self) -> list:  # list[asn1crypto.x509.Certificate]
        from asn1crypto import x509 as ax509

        return [ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in self.roots]

    def describe(self) -> list[str]:
        return [c.subject.rfc4514_string() for c in self.roots]


def load_trust_store(paths: Iterable[str | Path] | None) -> TrustStore:
    return TrustStore.load(paths)


# ----------------------------------------------------------------------------- names


def common_name(name: x509.Name) -> str | None:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = name.get_attributes_for_oid(oid)
        if attrs:
            v = attrs[0].value
            return v if isinstance(v, str) else v.decode("utf-8", "replace")
    return None


def is_test_certificate(cert: x509.Certificate) -> bool:
    """True for certificates of the test PKI (their subject says TEST — NOT FOR PRODUCTION)."""
    return TEST_LABEL in cert.subject.rfc4514_string()


# ----------------------------------------------------------------------------- test PKI


@dataclass
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    @property
    def name(self) -> str:
        return common_name(self.cert.subject) or self.subject

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _name(cn: str, unit: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_LABEL)]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


@dataclass
class TestPKI:
    """A root CA, an issuing CA, a TSA and signers — all labelled TEST — NOT FOR PRODUCTION."""

    __test__ = False  # not a pytest test class

    root: Issued
    issuing: Issued
    tsa: Issued
    seed: bytes | None = None
    signers: dict[str, Issued] = field(default_factory=dict)
    revoked: dict[int, datetime] = field(default_factory=dict)

    # -------------------------------------------------------------- key material

    def _key(self, label: str) -> ec.EllipticCurvePrivateKey:
        return _key(self.seed, label)

    def _serial(self, label: str) -> int:
        return _serial(self.seed, label)

    @property
    def chain(self) -> list[x509.Certificate]:
        """The intermediate certificates a signature carries (the issuing CA)."""
        return [self.issuing.cert]

    def trust_store(self) -> TrustStore:
        return TrustStore((self.root.cert,))

    # -------------------------------------------------------------- issuing

    def issue_signer(self, common_name: str, unit: str | None = None) -> Issued:
        """A document-signing certificate (digitalSignature + nonRepudiation) for ``common_name``."""
        if common_name in self.signers:
            return self.signers[common_name]
        key = self._key(f"signer:{common_name}")
        cert = _build(
            _name(common_name, unit), key.public_key(), self.issuing, self._serial(f"signer:{common_name}"),
            ca=False,
            usage=x509.KeyUsage(True, True, False, False, False, False, False, False, False),
        )
        self.signers[common_name] = Issued(cert, key)
        return self.signers[common_name]

    def revoke(self, issued: Issued, when: datetime) -> None:
        self.revoked[issued.cert.serial_number] = when

    def crls(self, this_update: datetime | None = None) -> list[bytes]:
        """DER CRLs: the issuing CA's (listing revoked signers) and the root's (for the issuing CA)."""
        now = this_update or datetime(2024, 1, 1, tzinfo=UTC)
        return [_crl(self.issuing, now, self.revoked), _crl(self.root, now, {})]

    # -------------------------------------------------------------- files

    def save(self, directory: str | Path, *, keys: bool = True) -> None:
        """Write ``root-ca.pem`` (the trust anchor), ``issuing-ca.pem``, ``tsa.pem`` and, with
        ``keys``, ``*.key.pem`` — test keys only, which is why writing them is allowed at all."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for stem, it in (("root-ca", self.root), ("issuing-ca", self.issuing), ("tsa", self.tsa)):
            (d / f"{stem}.pem").write_bytes(it.cert_pem())
            if keys:
                (d / f"{stem}.key.pem").write_bytes(it.key_pem())


def _crl(issuer: Issued, now: datetime, revoked: dict[int, datetime]) -> bytes:
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now)
        .next_update(NOT_AFTER)
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    for serial, when in sorted(revoked.items()):
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
    return b.sign(issuer.key, hashes.SHA256(), ecdsa_deterministic=True).public_bytes(serialization.Encoding.DER)


def _key(seed: bytes | None, label: str) -> ec.EllipticCurvePrivateKey:
    if seed is None:
        return ec.generate_private_key(ec.SECP256R1())
    scalar = int.from_bytes(hashlib.sha512(b"ruledsl-test-pki\0" + seed + b"\0" + label.encode()).digest(), "big")
    return ec.derive_private_key(scalar % (_P256_ORDER - 1) + 1, ec.SECP256R1())


def _serial(seed: bytes | None, label: str) -> int:
    if seed is None:
        return x509.random_serial_number()
    return int.from_bytes(hashlib.sha256(b"serial\0" + seed + b"\0" + label.encode()).digest()[:16], "big") >> 1


def _build(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer: Issued | None,
    serial: int,
    *,
    ca: bool,
    usage: x509.KeyUsage,
    eku: Sequence[x509.ObjectIdentifier] | None = None,
    eku_critical: bool = False,
    path_length: int | None = None,
    signing_key: ec.EllipticCurvePrivateKey | None = None,
) -> x509.Certificate:
    issuer_name = issuer.cert.subject if issuer else subject
    issuer_key = issuer.key if issuer else signing_key
    assert issuer_key is not None
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=eku_critical)
    if issuer is not None:
        b = b.add_extension(
            x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(CRL_BASE + _crl_file(issuer.cert.subject))], None, None, None)]),
            critical=False,
        )
    return b.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)


def _crl_file(issuer: x509.Name) -> str:
    return "root.crl" if "Root CA" in (common_name(issuer) or "") else "issuing.crl"


_CA_USAGE = x509.KeyUsage(False, False, False, False, False, True, True, False, False)


def make_test_pki(seed: bytes | str | None = None) -> TestPKI:
    """A fresh TEST PKI (root, issuing CA, TSA); deterministic when a ``seed`` is given."""
    s = seed.encode("utf-8") if isinstance(seed, str) else seed
    root_key = _key(s, "root")
    root_cert = _build(
        _name("ruledsl TEST Root CA"), root_key.public_key(), None, _serial(s, "root"),
        ca=True, usage=_CA_USAGE, path_length=1, signing_key=root_key,
    )
    root = Issued(root_cert, root_key)
    issuing_key = _key(s, "issuing")
    issuing = Issued(
        _build(_name("ruledsl TEST Issuing CA"), issuing_key.public_key(), root, _serial(s, "issuing"),
               ca=True, usage=_CA_USAGE, path_length=0),
        issuing_key,
    )
    tsa_key = _key(s, "tsa")
    tsa = Issued(
        _build(_name("ruledsl TEST Time-Stamping Authority", "TSA"), tsa_key.public_key(), issuing,
               _serial(s, "tsa"), ca=False,
               usage=x509.KeyUsage(True, True, False, False, False, False, False, False, False),
               eku=[ExtendedKeyUsageOID.TIME_STAMPING], eku_critical=True),
        tsa_key,
    )
    return TestPKI(root, issuing, tsa, s)


def load_issued(cert_path: str | Path, key_path: str | Path) -> Issued:
    """A certificate and key from PEM files (for a TSA or signer kept on disk)."""
    try:
        cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), None)
    except (OSError, ValueError) as exc:
        raise MalformedError.of(f"cannot load certificate/key {cert_path}, {key_path}: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise MalformedError.of(f"{key_path} is not an EC private key")
    return Issued(cert, key)
