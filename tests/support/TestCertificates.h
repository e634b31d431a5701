#pragma once

#include <QByteArray>

namespace Brigade::Test {

// Self-signed certificates (EC P-256, PEM) for TLS tests on the loopback.
struct TestCertificate
{
    QByteArray certificate;
    QByteArray privateKey;
};

// For 127.0.0.1 and localhost, valid 2000-2120.
TestCertificate loopbackCertificate();
// For other.invalid only, valid 2026-2126: a host name mismatch on 127.0.0.1.
TestCertificate otherHostCertificate();

} // namespace Brigade::Test
