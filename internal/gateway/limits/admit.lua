-- One request's admission in one round trip: see Redis.Admit (redis_admit.go).
--
-- KEYS: the budget keys (model tokens used on the day), then the rate keys.
-- ARGV: the number of budget keys; each budget's tokens per day; then, for
-- each rate key, burst, rate, period (seconds) and cost, as redis_rate passes
-- them. A cost above 1 is a lease (lease.go): all of it or, when the rate
-- cannot give that much, one request, as with a cost of 1.
--
-- Returns the tokens each budget key used ("0" for none), then, for each rate
-- checked in order, {allowed, remaining, retry_after, reset_after} as
-- redis_rate returns them (allowed: the requests taken, the cost or 1, or 0). When a budget is spent, no rate is checked (the
-- request takes no quota); no rate is checked after one that refuses (it
-- takes no quota either).

-- This script has side effects after TIME, so it needs effects replication
-- (the default from Redis 5 on; a no-op since Redis 7).
redis.replicate_commands()

local budgets = tonumber(ARGV[1])
local out = {}
local spent = false
for i = 1, budgets do
  local used = redis.call("GET", KEYS[i]) or "0"
  local n = tonumber(used)
  if not n then
    return redis.error_reply("ERR " .. KEYS[i] .. " does not hold a number of model tokens")
  end
  out[i] = used
  -- Exact as long as the limit is at most 2^53 (Load checks it).
  if n >= tonumber(ARGV[1 + i]) then
    spent = true
  end
end
if spent then
  return out
end

-- allow_n is GCRA from github.com/go-redis/redis_rate/v10 v10.0.1 (lua.go,
-- allowN), unchanged but for being a function: the same keys hold the same
-- values, so that a rate kept by redis_rate carries on here and back.
--
-- Copyright (c) 2013 The github.com/go-redis/redis_rate Authors.
-- All rights reserved. BSD-2-Clause license: see the end of this file.
-- redis_rate took it from Pavel Pravosud's (Copyright (c) 2017)
-- https://github.com/rwz/redis-gcra/blob/master/vendor/perform_gcra_ratelimit.lua

-- redis returns time as an array containing two integers: seconds of the epoch
-- time (10 digits) and microseconds (6 digits). for convenience we need to
-- convert them to a floating point number. the resulting number is 16 digits,
-- bordering on the limits of a 64-bit double-precision floating point number.
-- adjust the epoch to be relative to Jan 1, 2017 00:00:00 GMT to avoid floating
-- point problems. this approach is good until "now" is 2,483,228,799 (Wed, 09
-- Sep 2048 01:46:39 GMT), when the adjusted value is 16 digits.
local jan_1_2017 = 1483228800
local now = redis.call("TIME")
now = (now[1] - jan_1_2017) + (now[2] / 1000000)

local function allow_n(rate_limit_key, burst, rate, period, cost)
  local emission_interval = period / rate
  local increment = emission_interval * cost
  local burst_offset = emission_interval * burst

  local tat = redis.call("GET", rate_limit_key)

  if not tat then
    tat = now
  else
    tat = tonumber(tat)
  end

  tat = math.max(tat, now)

  local new_tat = tat + increment
  local allow_at = new_tat - burst_offset

  local diff = now - allow_at
  local remaining = diff / emission_interval

  if remaining < 0 then
    local reset_after = tat - now
    local retry_after = diff * -1
    return {
      0, -- allowed
      0, -- remaining
      tostring(retry_after),
      tostring(reset_after),
    }
  end

  local reset_after = new_tat - now
  if reset_after > 0 then
    redis.call("SET", rate_limit_key, new_tat, "EX", math.ceil(reset_after))
  end
  local retry_after = -1
  return {cost, remaining, tostring(retry_after), tostring(reset_after)}
end

local arg = 2 + budgets
for k = budgets + 1, #KEYS do
  local cost = tonumber(ARGV[arg + 3])
  local r = allow_n(KEYS[k], ARGV[arg], ARGV[arg + 1], ARGV[arg + 2], cost)
  if r[1] == 0 and cost > 1 then
    -- A refused allow_n writes nothing: this is one request, as without a lease.
    r = allow_n(KEYS[k], ARGV[arg], ARGV[arg + 1], ARGV[arg + 2], 1)
  end
  arg = arg + 4
  for _, v in ipairs(r) do
    out[#out + 1] = v
  end
  if r[1] == 0 then
    break
  end
end
return out

-- redis_rate's LICENSE, for allow_n:
--
-- Copyright (c) 2013 The github.com/go-redis/redis_rate Authors.
-- All rights reserved.
--
-- Redistribution and use in source and binary forms, with or without
-- modification, are permitted provided that the following conditions are
-- met:
--
--    * Redistributions of source code must retain the above copyright
-- notice, this list of conditions and the following disclaimer.
--    * Redistributions in binary form must reproduce the above
-- copyright notice, this list of conditions and the following disclaimer
-- in the documentation and/or other materials provided with the
-- distribution.
--
-- THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
-- "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
-- LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
-- A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
-- OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
-- SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
-- LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
-- DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
-- THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
-- (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
-- OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
