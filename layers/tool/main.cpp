// bc-layer: build, sign, verify, inspect, diff and apply layers locally.
#include <CLI/CLI.hpp>

#include "layers/tool/commands.hpp"

int main(int argc, char** argv) {
  using namespace bc::tool;
  CLI::App app{"bc-layer: build, sign, verify, inspect and apply branchcast layers"};
  app.require_subcommand(1);

  BuildArgs b;
  auto* build = app.add_subcommand("build", "capture a directory into a layer");
  build->add_option("dir", b.source_dir, "the reference directory")->required()->check(CLI::ExistingDirectory);
  build->add_option("--name", b.name, "layer name ([a-z0-9][a-z0-9._-]*)")->required();
  build->add_option("--version", b.version, "layer version (1..2^31-1)")->required();
  build->add_option("--kind", b.kind, "base, app or driver")->check(CLI::IsMember({"base", "app", "driver"}));
  build->add_option("--parent", b.parent, "the layer this one succeeds, NAME@N");
  build->add_option("--match", b.match, "driver hardware rule KEY=GLOB (repeatable)");
  build->add_option("--out", b.out_dir, "output directory (default NAME@VERSION.layer)");
  build->add_option("--piece-kib", b.piece_kib, "piece size in KiB, a power of two >= 16 (default 64)");
  build->add_option("--threads", b.threads, "hashing threads (default: one per core)");
  build->add_option("--sign", b.sign_key, "sign with this secret key right after building");

  std::string out, dir, key;
  bool json = false;
  unsigned threads = 0;
  auto* keygen = app.add_subcommand("keygen", "create an Ed25519 key pair");
  keygen->add_option("--out", out, "secret key file (public key goes to FILE.pub)")->required();
  auto* sign = app.add_subcommand("sign", "sign a built layer's manifest");
  sign->add_option("layer", dir, "layer directory")->required();
  sign->add_option("--key", key, "secret key file")->required();
  auto* verify = app.add_subcommand("verify", "check the signature, then every byte");
  verify->add_option("layer", dir, "layer directory")->required();
  verify->add_option("--pubkey", key, "trusted public key file")->required();
  verify->add_option("--threads", threads, "hashing threads (default: one per core)");
  auto* inspect = app.add_subcommand("inspect", "describe a layer");
  inspect->add_option("layer", dir, "layer directory")->required();
  inspect->add_flag("--json", json, "print the manifest as JSON");

  CLI11_PARSE(app, argc, argv);
  if (*build) return cmd_build(b);
  if (*keygen) return cmd_keygen(out);
  if (*sign) return cmd_sign(dir, key);
  if (*verify) return cmd_verify(dir, key, threads);
  if (*inspect) return cmd_inspect(dir, json);
  return 2;
}
