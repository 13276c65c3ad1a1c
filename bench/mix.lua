-- wrk script: the client's request mix against cnake-charmer-server.
--
-- Each connection runs jobs the way the client does: POST /generate, then
-- GET /status/<id> (STATUS_PER_JOB times on average, at least once), then
-- GET /results/<id>. Responses are told apart by their bodies, so the
-- connections of a wrk thread share one queue of jobs in flight.
--
-- Environment: BODY_FILE (JSON body of POST /generate, required),
-- STATUS_PER_JOB (default 1.0), BASE_PATH (default /api).
-- At the end it prints "mix: generate=N status=N results=N".

local base = os.getenv("BASE_PATH") or "/api"
local status_per_job = tonumber(os.getenv("STATUS_PER_JOB") or "1.0")
local body_file = os.getenv("BODY_FILE")
local f = assert(io.open(body_file, "rb"), "BODY_FILE is required")
local post_body = f:read("*a")
f:close()

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  to_status = {}  -- ids waiting for a status poll
  to_results = {} -- ids whose status said completed
  extra_polls = 0.0
  generate, status, results = 0, 0, 0
  -- The headers the client sends (curl_transport.cc), so that the server does
  -- the same work (gzip answers) for both.
  get_headers = {["Accept"] = "application/json", ["Accept-Encoding"] = "gzip"}
  post_headers = {["Accept"] = "application/json", ["Accept-Encoding"] = "gzip",
                  ["Content-Type"] = "application/json"}
  post = wrk.format("POST", base .. "/generate", post_headers, post_body)
end

function request()
  local id = table.remove(to_results)
  if id then
    results = results + 1
    return wrk.format("GET", base .. "/results/" .. id, get_headers)
  end
  id = table.remove(to_status)
  if id then
    status = status + 1
    return wrk.format("GET", base .. "/status/" .. id, get_headers)
  end
  generate = generate + 1
  return post
end

function response(code, headers, body)
  if code ~= 200 then return end
  local id = body:match('"request_id":"([^"]+)"')
  if not id then return end
  if body:find('"generated_code"', 1, true) then
    return  -- results: the job is done
  end
  if body:find('"progress"', 1, true) then
    -- a status answer: poll again for the share of extra polls, else fetch results
    extra_polls = extra_polls + (status_per_job - 1.0)
    if extra_polls >= 1.0 then
      extra_polls = extra_polls - 1.0
      table.insert(to_status, id)
    else
      table.insert(to_results, id)
    end
    return
  end
  table.insert(to_status, id)  -- a submission
end

function done(summary, latency, requests)
  local g, s, r = 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("generate")
    s = s + t:get("status")
    r = r + t:get("results")
  end
  io.write(string.format("mix: generate=%d status=%d results=%d\n", g, s, r))
end
