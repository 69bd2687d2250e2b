-- wrk script for bench/tracker_announce_bench.sh: each request is a BEP 3
-- announce for one info-hash from a random peer. Environment:
--   BC_INFO_HASH  the 20-byte info-hash, percent-encoded
--   BC_KEYS       file with one announce key per line (bc-tracker); unset: plain announces (opentracker)
local info_hash = os.getenv("BC_INFO_HASH")
local keys_file = os.getenv("BC_KEYS")
local keys = {}

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  if keys_file and keys_file ~= "" then
    for line in io.lines(keys_file) do keys[#keys + 1] = line end
  end
end

local function peer_id()
  local t = {}
  for i = 1, 20 do t[i] = string.format("%%%02X", math.random(0, 255)) end
  return table.concat(t)
end

function request()
  local path = "/announce?info_hash=" .. info_hash .. "&peer_id=" .. peer_id() ..
      "&port=" .. math.random(1024, 65535) .. "&uploaded=0&downloaded=0&left=" ..
      (math.random(0, 1) * 1048576) .. "&compact=1&numwant=50"
  if #keys > 0 then path = path .. "&bckey=" .. keys[math.random(1, #keys)] end
  return wrk.format("GET", path)
end

local failures = 0
function response(status, headers, body)
  if status ~= 200 or string.find(body, "failure reason", 1, true) then failures = failures + 1 end
end
