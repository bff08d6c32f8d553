-- wrk script for bench/http.sh: every request gives advice on a case under
-- advice, as a new revision with its own change_reason (advice is never
-- edited), going round the cases listed in $BENCH_CASES_FILE (one path a
-- line) with the bearer token in $BENCH_TOKEN.
local token = os.getenv("BENCH_TOKEN")
local paths = {}
for line in io.lines(os.getenv("BENCH_CASES_FILE")) do
   paths[#paths + 1] = line
end

local threads = 0
function setup(thread)
   threads = threads + 1
   thread:set("tid", threads)
end

local counter = 0
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}

function request()
   counter = counter + 1
   local path = paths[(counter + (tid or 0)) % #paths + 1]
   local body = string.format(
      '{"advice": "approve", "text": "Consistent with the criteria.", ' ..
      '"change_reason": "revision %d from client thread %d"}', counter, tid or 0)
   return wrk.format("POST", path, headers, body)
end
