/**
 * The Lua scripts of the Redis store: each makes a read-check-write atomic, so
 * instances racing on one key cannot both pass a check. No shebang flags: they run
 * on Upstash and on a stock redis-server alike. The sums match `sliding-window.ts`
 * and `memory-store.ts` (the shared behavioural suite holds both to them).
 */

/**
 * Appends one flush to a stream's log. KEYS: log (list), meta (hash: bytes, ended).
 * ARGV: firstSeq, ttlMs, maxFrames, maxBytes, addedBytes, end (0|1), frames…
 * Returns {1, nextSeq} or {0, nextSeq, 1 = gap | 2 = full}.
 */
export const APPEND_EVENTS = `
local length = redis.call('LLEN', KEYS[1])
if length ~= tonumber(ARGV[1]) then return {0, length, 1} end
local count = #ARGV - 6
local bytes = tonumber(redis.call('HGET', KEYS[2], 'bytes') or '0')
if length + count > tonumber(ARGV[3]) or bytes + tonumber(ARGV[5]) > tonumber(ARGV[4]) then
  return {0, length, 2}
end
-- In slices: unpack() of thousands of values would overflow Lua's C stack.
for first = 7, #ARGV, 500 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, first, math.min(first + 499, #ARGV)))
end
redis.call('HINCRBY', KEYS[2], 'bytes', ARGV[5])
if ARGV[6] == '1' then redis.call('HSET', KEYS[2], 'ended', '1') end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {1, length + count}
`;

/**
 * Reads a log after a seq, with its ended mark, in one atomic step (so "ended" is
 * never seen without the last frames). KEYS: log, meta, reader. ARGV: afterSeq,
 * readerTtlMs (0: no mark; else the reader key is set for that long, so the producer's
 * instance sees that someone reads). Returns nil for an unknown log, else
 * {ended 0|1, nextSeq, frames}.
 */
export const READ_EVENTS = `
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[3], '1', 'PX', ARGV[2]) end
local ended = redis.call('HGET', KEYS[2], 'ended')
local length = redis.call('LLEN', KEYS[1])
local frames = redis.call('LRANGE', KEYS[1], math.max(0, tonumber(ARGV[1]) + 1), -1)
if ended then return {1, length, frames} end
return {0, length, frames}
`;

/** Marks a log ended, keeping its expiry; nothing for an unknown log. KEYS: meta. */
export const MARK_ENDED = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'ended', '1') end
return 1
`;

/**
 * Reserves an amount on a sliding-window budget. KEYS: current window's counter,
 * previous window's counter. ARGV: limit, now, windowMs, amount.
 * Returns {1 | 0, remaining}.
 */
export const RESERVE_BUDGET = `
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local amount = tonumber(ARGV[4])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
previous = math.floor((1 - (now % window) / window) * previous)
if previous + current + amount > limit then return {0, limit - previous - current} end
local value = redis.call('INCRBY', KEYS[1], amount)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], window * 2 + 1000) end
return {1, limit - previous - value}
`;

/** Corrects a budget bucket by a delta, never below 0; nothing once it expired. KEYS: counter. ARGV: delta. */
export const SETTLE_BUDGET = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('INCRBY', KEYS[1], ARGV[1]) < 0 then redis.call('SET', KEYS[1], '0', 'KEEPTTL') end
return 1
`;

/**
 * Takes (or renews) one of a capped number of slots. KEYS: the holders (sorted set,
 * score = expiry). ARGV: holder, max, ttlMs, now. Returns {1 | 0, held}.
 */
export const ACQUIRE_SLOT = `
local now = tonumber(ARGV[4])
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local held = redis.call('ZCARD', KEYS[1])
  if held >= tonumber(ARGV[2]) then return {0, held} end
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return {1, redis.call('ZCARD', KEYS[1])}
`;
