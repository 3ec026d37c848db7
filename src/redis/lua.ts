/**
 * The Lua scripts that keep a shared breaker consistent. Each runs atomically in Redis and
 * touches only the keys of one breaker, all under one hash tag, so Redis Cluster accepts
 * them. KEYS are always: the state hash, the merged window, the probe claims (a sorted set
 * of claim id → expiry). The state hash holds the latest `CircuitSnapshot` as JSON
 * (`snapshot`), the fleet's consecutive-failure count (`consecutive`) and the probe
 * successes counted in the current half-open (`probeSuccesses`).
 *
 * Versions order snapshots: a transition is stored only when it is newer than the stored
 * one, so replicas converge on the highest version whatever order messages arrive in.
 * Every stored transition is published as the snapshot's JSON on the fleet's channel.
 * Arguments arrive as one JSON document; replies are one JSON document.
 */

const common = `
local function load(key)
  local raw = redis.call('HGET', key, 'snapshot')
  if raw then return cjson.decode(raw) end
  return nil
end
local function store(keys, snapshot, channel)
  local json = cjson.encode(snapshot)
  redis.call('HSET', keys[1], 'snapshot', json, 'consecutive', '0', 'probeSuccesses', '0')
  if snapshot.state ~= 'disabled' then redis.call('DEL', keys[2]) end
  redis.call('DEL', keys[3])
  redis.call('PUBLISH', channel, json)
end
`;

/**
 * Merges one replica's batch of outcomes (counted in `closed`) into the shared window and
 * opens the breaker when the merged window says so. ARGV[1]: `{ now, name, channel, openMs,
 * trip, batch }`; `trip` is `{ kind: 'consecutive', threshold }` or `{ kind: 'count' | 'time',
 * threshold, minimumCalls, size | ms, bucketMs, slowRate? }`; `batch` is `{ reset, failures }`
 * (consecutive: whether a success came, failures since the last one), `{ tail }` (count: the
 * newest outcomes as letters S F s f, lowercase = slow) or `{ buckets }` (time:
 * bucket start → [calls, failures, slow]). Replies `{ snapshot }` (absent: nothing stored yet).
 */
export const mergeScript = `${common}
local a = cjson.decode(ARGV[1])
local s = load(KEYS[1])
if s and s.state ~= 'closed' and s.state ~= 'disabled' then return cjson.encode({ snapshot = s }) end
local t, b = a.trip, a.batch
local failed, slowed = false, false
if t.kind == 'consecutive' then
  local c = tonumber(redis.call('HGET', KEYS[1], 'consecutive')) or 0
  if b.reset then c = b.failures else c = c + b.failures end
  redis.call('HSET', KEYS[1], 'consecutive', string.format('%d', c))
  failed = c >= t.threshold
else
  local calls, failures, slow = 0, 0, 0
  if t.kind == 'count' then
    local w = (redis.call('GET', KEYS[2]) or '') .. b.tail
    if #w > t.size then w = string.sub(w, -t.size) end
    redis.call('SET', KEYS[2], w)
    calls = #w
    for i = 1, #w do
      local c = string.sub(w, i, i)
      if c == 'F' or c == 'f' then failures = failures + 1 end
      if c == 's' or c == 'f' then slow = slow + 1 end
    end
  else
    for start, v in pairs(b.buckets) do
      redis.call('HINCRBY', KEYS[2], start .. ':c', v[1])
      redis.call('HINCRBY', KEYS[2], start .. ':f', v[2])
      redis.call('HINCRBY', KEYS[2], start .. ':s', v[3])
    end
    local all = redis.call('HGETALL', KEYS[2])
    local oldest = a.now - t.ms
    for i = 1, #all, 2 do
      local field, value = all[i], tonumber(all[i + 1])
      local start, kind = string.match(field, '^(%-?%d+):(%a)$')
      if start and tonumber(start) + t.bucketMs > oldest then
        if kind == 'c' then calls = calls + value elseif kind == 'f' then failures = failures + value else slow = slow + value end
      else
        redis.call('HDEL', KEYS[2], field)
      end
    end
    redis.call('PEXPIRE', KEYS[2], string.format('%d', t.ms + t.bucketMs))
  end
  if calls > 0 and calls >= t.minimumCalls then
    failed = failures / calls >= t.threshold
    slowed = t.slowRate ~= nil and slow / calls >= t.slowRate
  end
end
if (failed or slowed) and (s == nil or s.state == 'closed') then
  local version, opens = 1, 1
  if s then version, opens = s.version + 1, s.opens + 1 end
  local reason = 'failures'
  if not failed then reason = 'slow-calls' end
  s = { name = a.name, state = 'open', version = version, reason = reason, since = a.now,
        openUntil = a.now + a.openMs, opens = opens }
  store(KEYS, s, a.channel)
end
return cjson.encode({ snapshot = s })
`;

/**
 * Stores a replica's transition when it is newer than the stored one. ARGV[1]:
 * `{ channel, force, snapshot }`. `force` (isolate, reset, disable, enable: operator
 * commands that act on the whole fleet) always applies, with a version above the stored
 * one. Replies `{ applied, snapshot }`.
 */
export const transitionScript = `${common}
local a = cjson.decode(ARGV[1])
local s, n = load(KEYS[1]), a.snapshot
local applied = s == nil or n.version > s.version
if not applied and a.force then
  n.version = s.version + 1
  applied = true
end
if applied then
  store(KEYS, n, a.channel)
  s = n
end
return cjson.encode({ applied = applied, snapshot = s })
`;

/**
 * Claims one half-open probe slot, so that at most `maxCalls` probes run across the fleet.
 * Granted while the stored breaker is open with its open time over (replicas derive
 * half-open from the clock and do not publish it), or half-open. Claims expire after `ttlMs`, so a
 * replica that dies mid-probe frees its slot. ARGV[1]: `{ now, maxCalls, ttlMs, id }`.
 * Replies `{ granted, snapshot }`.
 */
export const claimScript = `${common}
local a = cjson.decode(ARGV[1])
local s = load(KEYS[1])
if s == nil or not (s.state == 'half-open' or (s.state == 'open' and a.now >= s.openUntil)) then
  return cjson.encode({ granted = false, snapshot = s })
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('%d', a.now))
local granted = redis.call('ZCARD', KEYS[3]) < a.maxCalls
if granted then
  redis.call('ZADD', KEYS[3], string.format('%d', a.now + a.ttlMs), a.id)
  redis.call('PEXPIRE', KEYS[3], string.format('%d', a.ttlMs))
end
return cjson.encode({ granted = granted, snapshot = s })
`;

/**
 * Ends a probe claim. A claim still held (not expired, and not cleared by a transition since
 * it was granted, so it belongs to this half-open) that succeeded counts towards
 * `successesToClose` across the fleet; the count reaching it closes the breaker for every
 * replica. Replicas that close locally first push the same transition; versions settle who
 * wins. ARGV[1]: `{ id, succeeded, now, successesToClose, channel }`. Replies `{ snapshot }`.
 */
export const releaseScript = `${common}
local a = cjson.decode(ARGV[1])
local held = redis.call('ZREM', KEYS[3], a.id) == 1
local s = load(KEYS[1])
if not (held and a.succeeded and s and (s.state == 'open' or s.state == 'half-open')) then
  return cjson.encode({ snapshot = s })
end
local successes = redis.call('HINCRBY', KEYS[1], 'probeSuccesses', 1)
if successes >= a.successesToClose then
  -- Replicas went half-open from the stored open without publishing it: one version for that.
  local version = s.version + 1
  if s.state == 'open' then version = s.version + 2 end
  s = { name = s.name, state = 'closed', version = version, reason = 'probes-succeeded',
        since = a.now, openUntil = cjson.null, opens = 0 }
  store(KEYS, s, a.channel)
end
return cjson.encode({ snapshot = s })
`;
