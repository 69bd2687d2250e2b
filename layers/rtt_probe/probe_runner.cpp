#include "layers/rtt_probe/probe_runner.hpp"

namespace bc::rtt_probe {

Result<std::unique_ptr<ProbeRunner>> ProbeRunner::start(const Clock& clock, RttProberOptions options) {
  std::unique_ptr<ProbeRunner> r(new ProbeRunner());
  r->target_ = options.target;
  BC_ASSIGN_OR_RETURN(r->prober_, RttProber::start(r->io_, clock, std::move(options)));
  r->thread_ = std::thread([p = r.get()] { p->io_.run(); });
  return r;
}

ProbeRunner::~ProbeRunner() {
  if (prober_) prober_->stop();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

governor::RttDrain ProbeRunner::drain() {
  ProbeBatch b = prober_->drain_samples();
  governor::RttDrain d;
  d.rtt_ms.reserve(b.samples.size());
  for (const RttSample& s : b.samples) d.rtt_ms.push_back(s.rtt_ms);
  d.lost = int64_t(b.lost);
  return d;
}

}  // namespace bc::rtt_probe
