// bc-layer: build, sign, verify, inspect, diff and apply layers locally.
#include <CLI/CLI.hpp>

#include "layers/tool/bundle_commands.hpp"
#include "layers/tool/commands.hpp"

int main(int argc, char** argv) {
  using namespace bc::tool;
  CLI::App app{"bc-layer: build, sign, verify, inspect and apply branchcast layers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bc-layer " BC_VERSION, "print the name and version, then exit");

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
  build->add_option("--pack-against", b.pack_against,
                    "a built layer directory of the previous version: keep its unchanged bins and pack "
                    "changed small files apart (smaller deltas)");
  build->add_flag("--no-pack", b.no_pack,
                  "keep files below 16 KiB as files of the torrent instead of packing them into bins");
  build->add_option("--compress", b.compress,
                    "zstd (default: schema 3, bins compressed on the wire) or none (schema 2, what nodes "
                    "of the previous release read)")
      ->check(CLI::IsMember({"zstd", "none"}));
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

  ApplyArgs ap;
  std::string other;
  auto* apply = app.add_subcommand("apply", "apply a stack of layers to a target tree");
  apply->add_option("--root", ap.root, "the target tree")->required()->check(CLI::ExistingDirectory);
  apply->add_option("--pubkey", ap.pubkey, "trusted public key file")->required();
  apply->add_option("--keep", ap.keep_generations, "generations kept for rollback (default 3)");
  apply->add_option("layers", ap.layers, "layer directories, base first; later layers win")
      ->required();
  auto* rollback = app.add_subcommand("rollback", "return the target to its previous stack");
  rollback->add_option("--root", ap.root, "the target tree")->required()->check(CLI::ExistingDirectory);
  rollback->add_option("--keep", ap.keep_generations, "generations kept for rollback (default 3)");
  auto* status = app.add_subcommand("status", "show the applied stack and rollback generations");
  status->add_option("--root", ap.root, "the target tree")->required()->check(CLI::ExistingDirectory);
  status->add_option("--keep", ap.keep_generations, "generations kept for rollback (default 3)");
  auto* diff = app.add_subcommand("diff", "what changes from layer A to B, and the bytes to move");
  diff->add_option("a", dir, "layer directory A (held by the receiver)")->required();
  diff->add_option("b", other, "layer directory B")->required();
  diff->add_flag("--json", json, "print JSON");

  ExportArgs ex;
  auto* exp = app.add_subcommand("export", "write a layer to one file, without what the receiver holds");
  exp->add_option("layer", ex.layer_dir, "a built, signed layer directory")->required();
  exp->add_option("--against", ex.against, "a layer directory the receiver holds (repeatable)");
  exp->add_option("-o,--out", ex.out, "the bundle file to create")->required();
  ImportArgs im;
  auto* imp = app.add_subcommand("import", "rebuild a layer from a bundle and the parents held here");
  imp->add_option("bundle", im.bundle, "the bundle file")->required();
  imp->add_option("--parent", im.parents, "a layer directory held here (repeatable)");
  imp->add_option("--pubkey", im.pubkey, "trusted public key file")->required();
  imp->add_option("-o,--out", im.out, "the layer directory to create")->required();
  imp->add_option("--threads", im.threads, "hashing threads (default: one per core)");

  CLI11_PARSE(app, argc, argv);
  if (*exp) return cmd_export(ex);
  if (*imp) return cmd_import(im);
  if (*apply) return cmd_apply(ap);
  if (*rollback) return cmd_rollback(ap.root, ap.keep_generations);
  if (*status) return cmd_status(ap.root, ap.keep_generations);
  if (*diff) return cmd_diff(dir, other, json);
  if (*build) return cmd_build(b);
  if (*keygen) return cmd_keygen(out);
  if (*sign) return cmd_sign(dir, key);
  if (*verify) return cmd_verify(dir, key, threads);
  if (*inspect) return cmd_inspect(dir, json);
  return 2;
}
