-- Test rig only (issue #8 §4), loaded on the MUC component when the flood component is configured
-- (scripts/prosody.mjs): the flood peer's synthetic participants (addresses of flood.<domain>) are not sent each
-- other's presences. XEP-0045 §7.2.3 has every participant receive every later one's presence, so N of them cost
-- the server N²/2 presences (10,000 take hours on a test machine). Real participants are untouched: they get the
-- full list when they join (send_occupant_list) and every flood participant's join and leave, and the flood
-- participants get the real ones' presences, exactly as without this module.

local ok, jid_util = pcall(require, "prosody.util.jid"); -- 13; 0.12 names it util.jid
if not ok then jid_util = require "util.jid"; end
local jid_host = jid_util.host;

local flood_host = "flood." .. (module.host:match("^[^.]+%.(.+)$") or module.host);

local function is_flood(jid)
	return jid ~= nil and jid_host(jid) == flood_host;
end

-- The participants that are not flood ones, per room: what a flood participant's presence goes to.
local function others(room)
	local set = room._flood_quiet_others;
	if not set then
		set = {};
		room._flood_quiet_others = set;
	end
	return set;
end

module:hook("muc-occupant-joined", function(event)
	if not is_flood(event.occupant.bare_jid) then others(event.room)[event.occupant.nick] = true; end
end);
module:hook("muc-occupant-left", function(event)
	if event.occupant then others(event.room)[event.occupant.nick] = nil; end
end);

-- Runs f with the room's occupant table narrowed to the real participants.
local function narrowed(room, f, ...)
	local all = room._occupants;
	local few = {};
	for nick in pairs(others(room)) do few[nick] = all[nick]; end
	room._occupants = few;
	local ret = table.pack(pcall(f, room, ...));
	room._occupants = all;
	if not ret[1] then error(ret[2]); end
	return table.unpack(ret, 2, ret.n);
end

local patched = false;
module:hook("muc-room-created", function(event)
	if patched then return; end
	patched = true;
	local room_mt = getmetatable(event.room).__index;
	local publicise = room_mt.publicise_occupant_status;
	room_mt.publicise_occupant_status = function(room, occupant, x, nick, actor, reason, prev_role, force_unavailable, recipient)
		if recipient or not is_flood(occupant.bare_jid) then
			return publicise(room, occupant, x, nick, actor, reason, prev_role, force_unavailable, recipient);
		end
		return narrowed(room, publicise, occupant, x, nick, actor, reason, prev_role, force_unavailable, recipient);
	end;
	local send_list = room_mt.send_occupant_list;
	room_mt.send_occupant_list = function(room, to, filter)
		if not is_flood(to) then return send_list(room, to, filter); end
		return narrowed(room, send_list, to, filter);
	end;
end, 1000);
