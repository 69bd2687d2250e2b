#include "layers/model/bin_codec.hpp"

#include <zstd.h>

#include <memory>

namespace bc {
namespace {

struct CctxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread: compression contexts are costly to create and a
// capture compresses tens of thousands of bins.
ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CctxFree> cctx(ZSTD_createCCtx());
  return cctx.get();
}

std::string compress_at(std::span<const uint8_t> raw, int level) {
  ZSTD_CCtx* c = thread_cctx();
  ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0);
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 0);
  ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, 0);
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress2(c, out.data(), out.size(), raw.data(), raw.size());
  if (ZSTD_isError(n)) return std::string();  // cannot happen with a bound-sized buffer
  out.resize(n);
  return out;
}

}  // namespace

const char* to_string(BinCodec c) { return c == BinCodec::zstd ? "zstd" : "raw"; }

bool parse_bin_codec(std::string_view s, BinCodec* out) {
  if (s == "raw") *out = BinCodec::raw;
  else if (s == "zstd") *out = BinCodec::zstd;
  else return false;
  return true;
}

std::string compressor_id() {
  return std::string("zstd-") + ZSTD_versionString() + "-l" + std::to_string(kBinZstdLevel);
}

std::string compress_bin(std::span<const uint8_t> raw) { return compress_at(raw, kBinZstdLevel); }

bool saves_enough(uint64_t raw, uint64_t wire) {
  return wire * 100 <= raw * (100 - kMinSavingPercent);
}

bool sample_compresses(std::span<const uint8_t> sample) {
  if (sample.empty()) return false;
  const std::string z = compress_at(sample, kSampleZstdLevel);
  return !z.empty() && saves_enough(sample.size(), z.size());
}

Status decode_bin(BinCodec codec, uint64_t raw_size, std::span<const uint8_t> wire, std::string* raw,
                  const std::string& what) {
  if (codec == BinCodec::raw) {
    if (wire.size() != raw_size)
      return Status::corruption(what + ": " + std::to_string(wire.size()) + " raw bytes, the manifest says " +
                                std::to_string(raw_size));
    raw->assign(reinterpret_cast<const char*>(wire.data()), wire.size());
    return Status();
  }
  const unsigned long long stated = ZSTD_getFrameContentSize(wire.data(), wire.size());
  if (stated == ZSTD_CONTENTSIZE_ERROR || stated == ZSTD_CONTENTSIZE_UNKNOWN)
    return Status::corruption(what + ": not a zstd frame stating its content size");
  if (stated != raw_size)
    return Status::corruption(what + ": zstd frame says " + std::to_string(stated) +
                              " bytes, the manifest's raw_size is " + std::to_string(raw_size));
  const size_t frame = ZSTD_findFrameCompressedSize(wire.data(), wire.size());
  if (ZSTD_isError(frame) || frame != wire.size())
    return Status::corruption(what + ": the bin is not exactly one zstd frame");
  thread_local std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  raw->resize(size_t(raw_size));
  const size_t n = ZSTD_decompressDCtx(dctx.get(), raw->data(), raw->size(), wire.data(), wire.size());
  if (ZSTD_isError(n))
    return Status::corruption(what + ": zstd: " + ZSTD_getErrorName(n));
  if (n != raw_size)
    return Status::corruption(what + ": decompressed to " + std::to_string(n) + " bytes, not " +
                              std::to_string(raw_size));
  return Status();
}

}  // namespace bc
