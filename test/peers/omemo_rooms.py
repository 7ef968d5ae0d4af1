"""Group chat (XEP-0045) support for the independent OMEMO peer (test/peers/omemo_peer.py).

OMEMO in group chats as Conversations does it (XEP-0384 0.3 §"Group chats", Modern XMPP): only in rooms that are
members-only and non-anonymous; the message is encrypted once for every device of every member (the room's
member, admin and owner lists, plus the real addresses of the participants present) and sent as one
``type="groupchat"`` message to the room. Incoming messages are attributed to the sender's real address, which a
non-anonymous room tells every participant in the presence's ``<item jid=…>`` (XEP-0045 §7.2.3); never to the
nickname.

This module keeps the per-room state (our nickname, nickname -> real bare address) and builds the stanzas; the
peer calls it from its presence handler and its commands.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import Any, Callable, Dict, List, Optional, Set

import slixmpp

NS_MUC = "http://jabber.org/protocol/muc"
NS_MUC_USER = f"{NS_MUC}#user"
NS_MUC_ADMIN = f"{NS_MUC}#admin"

# XEP-0045 §7.2.2: status 110 marks the presence that is our own (the end of the join).
STATUS_SELF = "110"


class Room:
    def __init__(self, jid: str, nick: str) -> None:
        self.jid = jid
        self.nick = nick
        # Nickname -> real bare address (None in a room that does not show it to us).
        self.occupants: Dict[str, Optional[str]] = {}
        self.joined = asyncio.Event()
        self.error: Optional[str] = None


class Rooms:
    def __init__(self, xmpp: slixmpp.ClientXMPP, emit: Callable[[Dict[str, Any]], None]) -> None:
        self.xmpp = xmpp
        self.emit = emit
        self.rooms: Dict[str, Room] = {}

    # ------------------------------------------------------------------------------------------------------------
    # presence

    def on_presence(self, pres: slixmpp.Presence) -> bool:
        """Tracks room presences; returns True when the presence was from a room we joined or are joining."""
        room = self.rooms.get(pres["from"].bare)
        if room is None:
            return False
        xml = pres.xml
        nick = pres["from"].resource
        if pres["type"] == "error":
            condition = "error"
            error = xml.find("{jabber:client}error")
            if error is not None and len(error) > 0:
                condition = error[0].tag.split("}")[-1]
            room.error = condition
            room.joined.set()
            self.emit({"event": "room_error", "room": room.jid, "error": condition})
            return True
        x = xml.find(f"{{{NS_MUC_USER}}}x")
        if x is None:
            return True
        item = x.find(f"{{{NS_MUC_USER}}}item")
        real = item.get("jid") if item is not None else None
        bare = slixmpp.JID(real).bare if real else None
        codes = sorted(s.get("code") or "" for s in x.findall(f"{{{NS_MUC_USER}}}status"))
        affiliation = item.get("affiliation") if item is not None else None
        if pres["type"] == "unavailable":
            room.occupants.pop(nick, None)
        else:
            room.occupants[nick] = bare
        self.emit({"event": "room_presence", "room": room.jid, "nick": nick, "jid": bare, "type": pres["type"],
                   "affiliation": affiliation, "codes": codes})
        if STATUS_SELF in codes and pres["type"] != "unavailable":
            room.joined.set()
        return True

    # ------------------------------------------------------------------------------------------------------------
    # commands

    async def join(self, room_jid: str, nick: str, timeout: float = 20) -> Dict[str, Any]:
        bare = slixmpp.JID(room_jid).bare
        room = Room(bare, nick)
        self.rooms[bare] = room
        pres = self.xmpp.make_presence(pto=f"{bare}/{nick}")
        x = ET.Element(f"{{{NS_MUC}}}x")
        # No legacy history: tests look at live traffic only.
        ET.SubElement(x, f"{{{NS_MUC}}}history", {"maxstanzas": "0"})
        pres.append(x)
        pres.send()
        await asyncio.wait_for(room.joined.wait(), timeout)
        if room.error is not None:
            del self.rooms[bare]
            raise ValueError(f"join {bare} failed: {room.error}")
        return {"room": bare, "occupants": dict(room.occupants)}

    def leave(self, room_jid: str) -> Dict[str, Any]:
        bare = slixmpp.JID(room_jid).bare
        room = self.rooms.pop(bare, None)
        if room is not None:
            self.xmpp.make_presence(pto=f"{bare}/{room.nick}", ptype="unavailable").send()
        return {"room": bare}

    async def members(self, room_jid: str) -> List[str]:
        """Real bare addresses of the room's owners, admins and members (XEP-0045 §9.5, §10.5, §10.8)."""
        bare = slixmpp.JID(room_jid).bare
        found: Set[str] = set()
        for affiliation in ("owner", "admin", "member"):
            iq = self.xmpp.make_iq_get(ito=bare)
            query = ET.Element(f"{{{NS_MUC_ADMIN}}}query")
            ET.SubElement(query, f"{{{NS_MUC_ADMIN}}}item", {"affiliation": affiliation})
            iq.append(query)
            try:
                result = await iq.send(timeout=10)
            except (slixmpp.exceptions.IqError, slixmpp.exceptions.IqTimeout):
                # A member may not be allowed to read the admin lists: the room's own rules.
                continue
            for item in result.xml.iter(f"{{{NS_MUC_ADMIN}}}item"):
                jid = item.get("jid")
                if jid:
                    found.add(slixmpp.JID(jid).bare)
        room = self.rooms.get(bare)
        if room is not None:
            found.update(j for j in room.occupants.values() if j)
        return sorted(found)

    async def configure(self, room_jid: str, fields: Dict[str, str]) -> Dict[str, Any]:
        """Submits the owner configuration form (XEP-0045 §10.2) with `fields`, e.g. right after status 201."""
        bare = slixmpp.JID(room_jid).bare
        iq = self.xmpp.make_iq_set(ito=bare)
        query = ET.Element(f"{{{NS_MUC}#owner}}query")
        x = ET.SubElement(query, "{jabber:x:data}x", {"type": "submit"})
        form_type = ET.SubElement(x, "{jabber:x:data}field", {"var": "FORM_TYPE", "type": "hidden"})
        ET.SubElement(form_type, "{jabber:x:data}value").text = "http://jabber.org/protocol/muc#roomconfig"
        for var, value in fields.items():
            field = ET.SubElement(x, "{jabber:x:data}field", {"var": var})
            ET.SubElement(field, "{jabber:x:data}value").text = value
        iq.append(query)
        await iq.send(timeout=10)
        return {"room": bare}

    async def set_affiliation(self, room_jid: str, jid: str, affiliation: str) -> Dict[str, Any]:
        """Grants or takes an affiliation (XEP-0045 §9.3, §9.4, §10.6)."""
        bare = slixmpp.JID(room_jid).bare
        iq = self.xmpp.make_iq_set(ito=bare)
        query = ET.Element(f"{{{NS_MUC_ADMIN}}}query")
        ET.SubElement(query, f"{{{NS_MUC_ADMIN}}}item", {"affiliation": affiliation, "jid": slixmpp.JID(jid).bare})
        iq.append(query)
        await iq.send(timeout=10)
        return {"room": bare, "jid": slixmpp.JID(jid).bare, "affiliation": affiliation}

    # ------------------------------------------------------------------------------------------------------------
    # messages

    def sender(self, msg: slixmpp.Message) -> Optional[Dict[str, Any]]:
        """For a groupchat message from a joined room: room, nick, real address (None if unknown), own flag."""
        if msg["type"] != "groupchat":
            return None
        room = self.rooms.get(msg["from"].bare)
        if room is None:
            return None
        nick = msg["from"].resource
        return {"room": room.jid, "nick": nick, "jid": room.occupants.get(nick), "own": nick == room.nick}
