#include "layers/swarm/node_cert.hpp"

#include "layers/pki/pki.hpp"

namespace bc {

Result<NodeCertificate> load_node_certificate(const std::string& cert_pem, const std::string& key_pem,
                                              int64_t now_unix) {
  auto info = pki::inspect(cert_pem);
  if (!info.ok()) return Status::invalid_argument("node certificate does not parse: " + info.status().message());
  if (info->is_ca) return Status::invalid_argument("node certificate '" + info->common_name + "' is a CA certificate");
  if (info->not_after_unix <= now_unix)
    return Status::invalid_argument("node certificate serial " + info->serial_hex + " expired at unix time " +
                                    std::to_string(info->not_after_unix) + "; renew it from the tracker");
  auto pub = pki::public_key_of(key_pem);
  if (!pub.ok()) return Status::invalid_argument("node TLS private key does not parse");  // the key text stays out
  if (*pub != info->public_pem)
    return Status::invalid_argument("node TLS private key is not the key of certificate serial " + info->serial_hex);
  return NodeCertificate{cert_pem, key_pem, info->serial_hex, info->dns_names, info->not_after_unix};
}

const std::string& tls_dh_params_pem() {
  static const std::string pem =
      "-----BEGIN DH PARAMETERS-----\n"
      "MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz\n"
      "+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a\n"
      "87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7\n"
      "YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi\n"
      "7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD\n"
      "ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==\n"
      "-----END DH PARAMETERS-----\n"
      ;
  return pem;
}

}  // namespace bc
