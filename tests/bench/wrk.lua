-- wrk script for tools/bench.sh: one scenario per run, named on wrk's
-- command line after "--":
--
--   wrk -t2 -c16 -d10s --latency -s tests/bench/wrk.lua http://127.0.0.1:PORT \
--       -- scenario=get tokens=FILE ids=FILE pairs=FILE cursor=TEXT [delay=MS]
--
-- tokens: live session tokens, one a line; ids: place ids, one a line;
-- pairs: "token place_id user_id" lines, each place owned by that token's
-- user (PATCH needs the author); cursor: the cursor of a page deep in the
-- list (tools/bench.sh: page 1,000 of 20), for the cursor scenario.
-- Every request picks a random entry (a random one of PREBUILT requests
-- built from random entries at start-up, so that Lua costs wrk little
-- CPU: wrk shares the machine with what it measures).
--
-- Each thread counts the statuses it sees; done() prints one line,
--   BENCH {"scenario":...,"rps":...,"p50_ms":...,"statuses":{"200":N},...}
-- with "unexpected": the answers whose status is not the scenario's
-- expected one, plus wrk's socket errors (connect, read, write, timeout).
-- tools/bench.sh marks the run INVALID when that is not 0.

local PREBUILT = 4096

local json_ct = { ["Content-Type"] = "application/json" }

-- A body as a real client sends it: every field, realistic lengths.
local create_body = '{"name":"Bench place","location":"12 Bench Street, ' ..
	'Benchtown","image":"https://images.example.com/places/bench.jpg",' ..
	'"mapURL":"https://maps.example.com/?q=40.4168,-3.7038",' ..
	'"description":"A place made by the benchmark: a short paragraph ' ..
	'of text such as people write about a place they liked."}'

local function bearer(token, extra)
	local h = { ["Authorization"] = "Bearer " .. token }
	for k, v in pairs(extra or {}) do
		h[k] = v
	end
	return h
end

local function pick(list)
	return list[math.random(#list)]
end

local function hex(n)
	local t = {}
	for i = 1, n do
		t[i] = string.format("%x", math.random(0, 15))
	end
	return table.concat(t)
end

-- Each scenario: the status every answer must have, the data files it
-- needs, and how to build one request.
local scenarios = {
	ceiling = { expect = 200, needs = {}, build = function(d)
		return wrk.format("GET", "/_places_ceiling")
	end },
	noauth = { expect = 401, needs = {}, build = function(d)
		return wrk.format("GET", "/api/places?limit=20")
	end },
	-- A well-formed token that is in no session: one indexed lookup.
	badtoken = { expect = 401, needs = {}, build = function(d)
		return wrk.format("GET", "/api/places?limit=20", bearer(hex(64)))
	end },
	list = { expect = 200, needs = { "tokens" }, build = function(d)
		return wrk.format("GET", "/api/places?limit=20",
		    bearer(pick(d.tokens)))
	end },
	-- Page 1,000 of 20, by the cursor its Link would carry: what page 1
	-- (list) costs, if the keyset works.
	cursor = { expect = 200, needs = { "tokens" }, build = function(d)
		return wrk.format("GET", "/api/places?limit=20&cursor=" ..
		    d.cursor, bearer(pick(d.tokens)))
	end },
	get = { expect = 200, needs = { "tokens", "ids" }, build = function(d)
		return wrk.format("GET", "/api/places/" .. pick(d.ids),
		    bearer(pick(d.tokens)))
	end },
	create = { expect = 201, needs = { "tokens" }, build = function(d)
		return wrk.format("POST", "/api/places",
		    bearer(pick(d.tokens), json_ct), create_body)
	end },
	patch = { expect = 200, needs = { "pairs" }, build = function(d)
		local p = pick(d.pairs)
		return wrk.format("PATCH", "/api/places/" .. p[2],
		    bearer(p[1], json_ct),
		    '{"description":"Patched by the benchmark, run ' ..
		    hex(8) .. '."}')
	end },
}

-- Main state: remember the threads so done() can collect their counts.
local threads = {}
local next_id = 0

function setup(thread)
	next_id = next_id + 1
	thread:set("thread_id", next_id)
	table.insert(threads, thread)
end

-- Thread state.
local requests = {}
counts = {}
scenario_name = ""
expect = 0

local function read_lines(path)
	local out = {}
	for line in io.lines(path) do
		if line ~= "" then
			table.insert(out, line)
		end
	end
	assert(#out > 0, path .. " is empty")
	return out
end

function init(args)
	local opt = {}
	for _, a in ipairs(args) do
		local k, v = a:match("^([%w_]+)=(.*)$")
		assert(k, "bad argument " .. a .. " (want key=value)")
		opt[k] = v
	end
	local sc = scenarios[opt.scenario or ""]
	assert(sc, "unknown scenario " .. tostring(opt.scenario))
	scenario_name = opt.scenario
	expect = sc.expect
	math.randomseed(os.time() * 1000 + thread_id)

	local d = {}
	for _, need in ipairs(sc.needs) do
		assert(opt[need], "scenario " .. scenario_name .. " needs " ..
		    need .. "=FILE")
		d[need] = read_lines(opt[need])
	end
	d.cursor = opt.cursor
	if d.pairs then
		for i, line in ipairs(d.pairs) do
			local t, id = line:match("^(%S+)%s+(%S+)")
			assert(t, "bad pairs line " .. line)
			d.pairs[i] = { t, id }
		end
	end
	for i = 1, PREBUILT do
		requests[i] = sc.build(d)
	end
	-- delay=MS: each connection waits MS between its requests, so the
	-- load offers about connections * 1000 / MS requests a second, however
	-- fast they are answered (tests/bench/shed.sh's fixed-rate flood).
	if opt.delay then
		local ms = tonumber(opt.delay)
		assert(ms and ms >= 0, "bad delay " .. opt.delay)
		delay = function()
			return ms
		end
	end
end

function request()
	return requests[math.random(PREBUILT)]
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, _)
	local merged, order, total, expected = {}, {}, 0, 0
	local name, want = "", 0
	for _, t in ipairs(threads) do
		name = t:get("scenario_name")
		want = t:get("expect")
		for status, n in pairs(t:get("counts")) do
			local k = tostring(status)
			if not merged[k] then
				merged[k] = 0
				order[#order + 1] = k
			end
			merged[k] = merged[k] + n
			total = total + n
			if status == want then
				expected = expected + n
			end
		end
	end
	table.sort(order)
	local parts = {}
	for _, k in ipairs(order) do
		parts[#parts + 1] = string.format('"%s":%d', k, merged[k])
	end
	local e = summary.errors
	local socket = e.connect + e.read + e.write + e.timeout
	local secs = summary.duration / 1e6
	io.write(string.format('BENCH {"scenario":"%s","expect":%d,' ..
	    '"requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
	    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"mean_ms":%.3f,' ..
	    '"max_ms":%.3f,"statuses":{%s},"unexpected":%d,' ..
	    '"socket_errors":{"connect":%d,"read":%d,"write":%d,' ..
	    '"timeout":%d}}\n',
	    name, want, summary.requests, secs, summary.requests / secs,
	    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
	    latency:percentile(99) / 1000, latency.mean / 1000,
	    latency.max / 1000, table.concat(parts, ","),
	    total - expected + socket, e.connect, e.read, e.write, e.timeout))
end
