/**
 * The Lua scripts that keep a shared breaker consistent. Each runs atomically in Redis and
 * touches only keys of one breaker, all under the same hash tag, so Redis Cluster accepts
 * them. A breaker's shared state is a hash: `state`, `version` (bumped by every transition),
 * `openUntil`, `opens` (opens in a row), plus the merged window. Every transition a script
 * makes is published as `name \n version \n state \n openUntil \n opens`.
 *
 * Arguments arrive as one JSON document (cjson), replies as flat arrays of strings so that
 * no number is truncated on the way back.
 */

/** Shared helpers, prepended to every script. */
const common = `
local function num(x, default) local n = tonumber(x) if n == nil then return default end return n end
local function int(x) return string.format('%.0f', x) end
local function load(key)
  local h = redis.call('HMGET', key, 'state', 'version', 'openUntil', 'opens')
  return { state = h[1] or 'closed', version = num(h[2], 0), openUntil = num(h[3], 0), opens = num(h[4], 0) }
end
local function reply(s, extra)
  local out = { s.state, int(s.version), int(s.openUntil), int(s.opens) }
  if extra then for i = 1, #extra do out[#out + 1] = extra[i] end end
  return out
end
local function save(keys, s, channel, name)
  redis.call('HSET', keys[1], 'state', s.state, 'version', int(s.version), 'openUntil', int(s.openUntil), 'opens', int(s.opens))
  if s.state ~= 'disabled' then
    redis.call('HSET', keys[1], 'consecutive', '0')
    redis.call('DEL', keys[2])
  end
  if s.state ~= 'half-open' then redis.call('DEL', keys[3]) end
  redis.call('PUBLISH', channel, name .. '\\n' .. int(s.version) .. '\\n' .. s.state .. '\\n' .. int(s.openUntil) .. '\\n' .. int(s.opens))
end
`;

/**
 * Merges one replica's batch of outcomes into the shared window and trips the breaker when
 * the merged window says so. KEYS: state, window, probes. ARGV[1]: JSON
 * `{ now, name, channel, openMs, trip, batch }` where `trip` is
 * `{ kind: 'consecutive', threshold }` or `{ kind: 'count' | 'time', threshold, minimumCalls,
 * size | ms, bucketMs, slowRate }`, and `batch` `{ reset, failures }` (consecutive),
 * `{ tail }` (count: outcome letters S F s f, lowercase = slow) or `{ buckets }` (time:
 * start → [calls, failures, slow]).
 */
export const mergeScript = `${common}
local a = cjson.decode(ARGV[1])
local s = load(KEYS[1])
if s.state ~= 'closed' and s.state ~= 'disabled' then return reply(s) end
local t, b = a.trip, a.batch
local trip = false
if t.kind == 'consecutive' then
  local c = num(redis.call('HGET', KEYS[1], 'consecutive'), 0)
  if b.reset then c = b.failures else c = c + b.failures end
  redis.call('HSET', KEYS[1], 'consecutive', int(c))
  trip = c >= t.threshold
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
      local start, kind = string.match(field, '^(%d+):(%a)$')
      if start and tonumber(start) + t.bucketMs > oldest then
        if kind == 'c' then calls = calls + value elseif kind == 'f' then failures = failures + value else slow = slow + value end
      else
        redis.call('HDEL', KEYS[2], field)
      end
    end
    redis.call('PEXPIRE', KEYS[2], int(t.ms + t.bucketMs))
  end
  if calls >= t.minimumCalls and calls > 0 then
    trip = failures / calls >= t.threshold or (t.slowRate ~= nil and slow / calls >= t.slowRate)
  end
end
if trip and s.state == 'closed' then
  s.state, s.version, s.opens, s.openUntil = 'open', s.version + 1, s.opens + 1, a.now + a.openMs
  save(KEYS, s, a.channel, a.name)
end
return reply(s)
`;

/**
 * Applies a transition. ARGV[1]: JSON `{ name, channel, mode, base, state, openUntil, opens,
 * release }`. Modes: `cas` applies only when the shared version is still `base` (the replica
 * saw the latest state), `force` always applies (isolate, reset, disable, enable act on the
 * fleet), `seed` applies only when `base` is newer than the shared version (a replica
 * refilling a Redis that came back empty) and keeps that version. `release` lists probe
 * claims to drop. Replies with the shared state and `1` when the transition applied.
 */
export const transitionScript = `${common}
local a = cjson.decode(ARGV[1])
if a.release then for i = 1, #a.release do redis.call('ZREM', KEYS[3], a.release[i]) end end
local s = load(KEYS[1])
local apply = a.mode == 'force' or (a.mode == 'cas' and s.version == a.base) or (a.mode == 'seed' and a.base > s.version)
if not apply then return reply(s, { '0' }) end
local version = s.version + 1
if a.mode == 'seed' then version = a.base end
s.state, s.version, s.openUntil, s.opens = a.state, version, a.openUntil, a.opens
save(KEYS, s, a.channel, a.name)
return reply(s, { '1' })
`;

/**
 * Claims half-open probe slots for one replica, so that at most `maxCalls` probes run across
 * the fleet. An open breaker whose open time has passed becomes half-open here. Claims expire
 * after `ttlMs`, so a replica that dies mid-probe frees its slot. ARGV[1]: JSON `{ name,
 * channel, now, maxCalls, ttlMs, ids }` (`ids`: the claim ids the replica offers, at most
 * `maxCalls`). Replies with the shared state, then the granted ids.
 */
export const claimScript = `${common}
local a = cjson.decode(ARGV[1])
local s = load(KEYS[1])
if s.state == 'open' and a.now >= s.openUntil then
  s.state, s.version = 'half-open', s.version + 1
  save(KEYS, s, a.channel, a.name)
end
if s.state ~= 'half-open' then return reply(s) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', int(a.now))
local free = a.maxCalls - redis.call('ZCARD', KEYS[3])
local granted = {}
for i = 1, math.min(free, #a.ids) do
  redis.call('ZADD', KEYS[3], int(a.now + a.ttlMs), a.ids[i])
  granted[#granted + 1] = a.ids[i]
end
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
local out = reply(s, { first[2] or '0' })
for i = 1, #granted do out[#out + 1] = granted[i] end
return out
`;
