using FleaMarket.Runtime.Redis.Resp;

namespace FleaMarket.Runtime.Redis.Membership;

/// <summary>
/// The Lua scripts of the membership table. Redis runs a script atomically, so each check-then-write
/// below is one step no other client can interleave with. KEYS[1] is always the cluster's hash.
/// </summary>
internal static class RedisMembershipScripts
{
    /// <summary>
    /// Compare-and-swap of one row and the version. ARGV: field, row JSON, new version, 1 if the row
    /// must exist (update) or 0 if it must not (insert). Returns 1 if written, 0 if not.
    /// </summary>
    public static readonly RedisScript WriteRow = new("""
        local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
        if current + 1 ~= tonumber(ARGV[3]) then return 0 end
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) ~= tonumber(ARGV[4]) then return 0 end
        redis.call('HSET', KEYS[1], 'version', ARGV[3], ARGV[1], ARGV[2])
        return 1
        """);

    /// <summary>
    /// Sets a row's I-am-alive time, leaving the version and everything else as the row is now (a status
    /// change written a moment ago survives). ARGV: field, time. Edits the JSON text rather than
    /// re-encoding it, because cjson would turn an empty vote list into an object. Returns 1 if the row exists.
    /// </summary>
    public static readonly RedisScript UpdateIAmAlive = new("""
        local row = redis.call('HGET', KEYS[1], ARGV[1])
        if not row then return 0 end
        local updated, count = string.gsub(row, '"alive":"[^"]*"', '"alive":"' .. ARGV[2] .. '"', 1)
        if count ~= 1 then return redis.error_reply('ERR membership row ' .. ARGV[1] .. ' has no alive time') end
        redis.call('HSET', KEYS[1], ARGV[1], updated)
        return 1
        """);

    /// <summary>
    /// Removes rows whose status is not Active and whose later of start and I-am-alive is before a time.
    /// ARGV: time (row time format), the Active status code. Returns how many rows went.
    /// </summary>
    public static readonly RedisScript RemoveDefunct = new("""
        local all = redis.call('HGETALL', KEYS[1])
        local active = tonumber(ARGV[2])
        local removed = 0
        for i = 1, #all, 2 do
          if all[i] ~= 'version' then
            local row = cjson.decode(all[i + 1])
            local latest = row.alive
            if row.start > latest then latest = row.start end
            if row.status ~= active and latest < ARGV[1] then
              redis.call('HDEL', KEYS[1], all[i])
              removed = removed + 1
            end
          end
        end
        return removed
        """);
}
