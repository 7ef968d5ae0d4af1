#!/usr/bin/python3
"""An independent OMEMO 0.3 (legacy, ``eu.siacs.conversations.axolotl``) XMPP peer for Parley's tests.

It is a separate implementation from Parley's: slixmpp for XMPP, python-omemo 1.x with the python-oldmemo
backend for the cryptography, and the XEP-0384 (0.3) glue (PEP device list and bundles, message stanzas) written
here. Node tests drive it through JSON lines on stdin/stdout; logs go to stderr.

    /usr/bin/python3 test/peers/omemo_peer.py --jid bob@localhost --password parley \
        --host 127.0.0.1 --port 15222 [--state-dir DIR] [--default-access-model] [--manual-subscriptions]
        [--verbose]

With --default-access-model the device list and bundles are published without publish-options, so the nodes get
the server's default access model (Prosody: "presence", readable by subscribed contacts only), as Profanity does;
by default they are published with access_model=open, as Conversations does. With --manual-subscriptions,
subscription requests wait for an "approve" command (as Profanity asks its user) instead of being accepted and
answered with one of ours.

Debian 12 packages: python3-omemo python3-oldmemo python3-slixmpp python3-xmlschema.

Protocol (one JSON object per line):

  stdout events
    {"event":"ready","device_id":N,"jid":"bob@localhost"}     connected, device list + bundle published
    {"event":"message","from":BARE,"sid":N,"body":STR|null,"prekey":BOOL,"id":ID,"type":T}
                                                             decrypted OMEMO message (body null: empty/key
                                                             transport message)
    {"event":"undecryptable","from":BARE,"sid":N|null,"reason":STR,"id":ID}
    {"event":"plain","from":BARE,"body":STR,"id":ID,"type":T}    a message with a body and no OMEMO element
    {"event":"stanza","from":BARE,"id":ID,"type":T,"stanza":XML} a message with neither body nor OMEMO element
    {"event":"devicelist","jid":BARE,"devices":[...]}        a PEP device list notification was processed
    {"event":"subscription_request","from":BARE}             someone asked for our presence (RFC 6121 §3.1.3)
    {"event":"error","error":STR}                            fatal (connection/auth/setup); the process exits

  stdin commands, each answered by {"id":ID,"ok":true,...} or {"id":ID,"ok":false,"error":STR}
    {"id":1,"cmd":"send","to":JID,"body":STR}       -> {"message_id":ID,"recipients":[rids],"skipped":[ids]}
    {"id":2,"cmd":"key_transport","to":JID}         -> same fields; an OMEMO message without payload
    {"id":3,"cmd":"devices","jid":JID}              -> {"devices":[ids]} (fresh PEP fetch of the device list)
    {"id":4,"cmd":"quit"}                           -> {} then the peer disconnects and exits 0
    {"id":5,"cmd":"ping"}                           -> {"device_id":N} (once ready)
    {"id":6,"cmd":"publish_device_list","devices":[ids]} -> {"devices":[ids]}: test aid, publishes exactly
                                                       these ids plus our own (e.g. a device with no bundle)
    {"id":7,"cmd":"configure_node","node":"devicelist"|"bundle"|NODE,"access_model":"presence"}
                                                    -> {"node":NODE}: test aid, reconfigures one of our PEP nodes
    {"id":8,"cmd":"republish"}                      -> {"devices":[ids]}: test aid, publishes our bundle and our
                                                       device list again (reconfiguring nodes to open if needed,
                                                       unless --default-access-model)
    {"id":9,"cmd":"access_model","node":"devicelist"|"bundle"|NODE}
                                                    -> {"node":NODE,"access_model":STR}: test aid, reads the
                                                       access model of one of our PEP nodes (XEP-0060 §8.2)
    {"id":10,"cmd":"subscription","jid":JID}        -> {"subscription":"none"|"to"|"from"|"both"}: our roster's
                                                       view of JID
    {"id":11,"cmd":"subscribe","jid":JID}           -> {}: asks JID for its presence (RFC 6121 §3.1.1)
    {"id":12,"cmd":"approve","jid":JID}             -> {}: approves JID's subscription request (RFC 6121 §3.1.4)
    {"id":13,"cmd":"send_plain","to":JID,"body":STR} -> {"message_id":ID}: a chat message without OMEMO
    {"id":14,"cmd":"join_room","room":JID,"nick":STR} -> {"room":JID,"occupants":{nick:jid|null}} (XEP-0045)
    {"id":15,"cmd":"leave_room","room":JID}         -> {"room":JID}
    {"id":16,"cmd":"room_members","room":JID}       -> {"members":[jids]}: owners, admins, members + present
    {"id":17,"cmd":"send_room","room":JID,"body":STR[,"members":[jids]]}
                                                    -> {"message_id":ID,"recipients":[rids],"skipped":[ids],
                                                       "members":[jids]}: one OMEMO groupchat message
    {"id":18,"cmd":"send_room_plain","room":JID,"body":STR} -> {"message_id":ID}
    {"id":19,"cmd":"configure_room","room":JID,"fields":{var:value}} -> {"room":JID}: owner form (XEP-0045 §10.2)
    {"id":20,"cmd":"set_affiliation","room":JID,"jid":JID,"affiliation":A} -> {"room","jid","affiliation"}

  Group chat events (test/peers/omemo_rooms.py) carry "room" and "nick"; "from" is the sender's real address:
    {"event":"room_presence","room":JID,"nick":STR,"jid":BARE|null,"type":T,"affiliation":A,"codes":[...]}
    {"event":"room_error","room":JID,"error":CONDITION}
    {"event":"room_reflection","room":JID,"nick":STR,"id":ID,"stanza":XML}   our own message, as the room echoed it

Trust is blind: every device is trusted the first time it is needed for encryption.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import traceback
import uuid
import xml.etree.ElementTree as ET
from typing import Any, Dict, FrozenSet, List, Optional

import omemo
from omemo.storage import Just, Maybe, Nothing
from omemo.types import DeviceInformation, JSONType, TrustLevel
import oldmemo
import oldmemo.etree
from oldmemo.oldmemo import NAMESPACE as NS_OMEMO
import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from omemo_rooms import Rooms

log = logging.getLogger("omemo_peer")

NODE_DEVICELIST = f"{NS_OMEMO}.devicelist"
NODE_BUNDLES_PREFIX = f"{NS_OMEMO}.bundles:"
NS_PUBSUB = "http://jabber.org/protocol/pubsub"
NS_PUBSUB_OWNER = "http://jabber.org/protocol/pubsub#owner"
NS_PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event"
NS_PUBSUB_ERRORS = "http://jabber.org/protocol/pubsub#errors"
NS_DATA = "jabber:x:data"
NS_HINTS = "urn:xmpp:hints"
NS_EME = "urn:xmpp:eme:0"
NS_CLIENT = "jabber:client"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"

FALLBACK_BODY = (
    "I sent you an OMEMO encrypted message but your client doesn't seem to support that. "
    "Find more information on https://conversations.im/omemo"
)
IQ_TIMEOUT = 20

TRUST_UNDECIDED = "undecided"
TRUST_BLIND = "blind"
TRUST_DISTRUSTED = "distrusted"


# --------------------------------------------------------------------------------------------------------------
# output


_out_lock = threading.Lock()


def emit(obj: Dict[str, Any]) -> None:
    line = json.dumps(obj, separators=(",", ":"))
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


# --------------------------------------------------------------------------------------------------------------
# storage


class JSONFileStorage(omemo.Storage):
    """python-omemo storage in one JSON file, rewritten (atomically) on every change."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path
        self._data: Dict[str, JSONType] = {}
        if os.path.exists(path):
            with open(path, "r", encoding="utf-8") as f:
                self._data = json.load(f)

    def _flush(self) -> None:
        tmp = f"{self._path}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self._data, f)
        os.replace(tmp, self._path)

    async def _load(self, key: str) -> Maybe[JSONType]:
        if key in self._data:
            return Just(self._data[key])
        return Nothing()

    async def _store(self, key: str, value: JSONType) -> None:
        self._data[key] = value
        self._flush()

    async def _delete(self, key: str) -> None:
        if self._data.pop(key, None) is not None:
            self._flush()


# --------------------------------------------------------------------------------------------------------------
# XML helpers


def data_form(form_type: str, fields: Dict[str, str]) -> ET.Element:
    x = ET.Element(f"{{{NS_DATA}}}x", {"type": "submit"})
    ft = ET.SubElement(x, f"{{{NS_DATA}}}field", {"var": "FORM_TYPE", "type": "hidden"})
    ET.SubElement(ft, f"{{{NS_DATA}}}value").text = form_type
    for var, value in fields.items():
        field = ET.SubElement(x, f"{{{NS_DATA}}}field", {"var": var})
        ET.SubElement(field, f"{{{NS_DATA}}}value").text = value
    return x


def iq_error_text(e: Exception) -> str:
    if isinstance(e, IqTimeout):
        return "timeout"
    if isinstance(e, IqError):
        err = e.iq["error"]
        app = [child.tag.split("}")[-1] for child in err.xml if not child.tag.startswith(f"{{{NS_STANZAS}}}")]
        text = f"{err['type']}/{err['condition']}"
        if app:
            text += "/" + ",".join(app)
        if err["text"]:
            text += f" ({err['text']})"
        return text
    return f"{type(e).__name__}: {e}"


def is_condition(e: Exception, condition: str) -> bool:
    return isinstance(e, IqError) and e.iq["error"]["condition"] == condition


def has_precondition_not_met(e: Exception) -> bool:
    return isinstance(e, IqError) and e.iq.xml.find(f".//{{{NS_PUBSUB_ERRORS}}}precondition-not-met") is not None


# --------------------------------------------------------------------------------------------------------------
# the peer


class Peer:
    def __init__(self, args: argparse.Namespace, loop: asyncio.AbstractEventLoop) -> None:
        self.args = args
        self.loop = loop
        self.jid = slixmpp.JID(args.jid)
        self.own_bare = self.jid.bare
        self.session_manager: Optional[omemo.SessionManager] = None
        self.backend: Optional[oldmemo.Oldmemo] = None
        self.device_id: Optional[int] = None
        # Device lists as last downloaded through PEP (bare JID -> ids), used to report skipped devices.
        self.known_lists: Dict[str, List[int]] = {}
        # One lock around everything that touches OMEMO state (python-omemo is not safe for concurrent use).
        self.lock = asyncio.Lock()
        self.ready = asyncio.Event()
        self.incoming: "asyncio.Queue[Optional[slixmpp.Message]]" = asyncio.Queue()
        self.commands: "asyncio.Queue[Optional[str]]" = asyncio.Queue()
        self.done: asyncio.Future = loop.create_future()

        xmpp = slixmpp.ClientXMPP(args.jid, args.password)
        self.xmpp = xmpp
        xmpp.register_plugin("xep_0030")
        xmpp.register_plugin("xep_0004")
        xmpp.register_plugin("xep_0060")
        xmpp.register_plugin("xep_0115")
        xmpp.register_plugin("xep_0163")
        # Plain TCP, no TLS: PLAIN and SCRAM over an unencrypted stream.
        if args.manual_subscriptions:
            # None: requests are neither accepted nor refused until an "approve" command.
            xmpp.auto_authorize = None
        xmpp["feature_mechanisms"].unencrypted_plain = True
        xmpp["feature_mechanisms"].unencrypted_scram = True
        xmpp.add_event_handler("session_start", self.on_session_start)
        xmpp.add_event_handler("failed_all_auth", self.on_failed_auth)
        xmpp.add_event_handler("connection_failed", self.on_connection_failed)
        xmpp.add_event_handler("disconnected", self.on_disconnected)
        xmpp.add_event_handler("roster_subscription_request",
                               lambda pres: emit({"event": "subscription_request", "from": pres["from"].bare}))
        # Every message stanza (slixmpp's own "message" event only fires for messages with a <body>).
        xmpp.register_handler(Callback("omemo-peer-messages", MatchXPath(f"{{{NS_CLIENT}}}message"),
                                       self.on_message_stanza))
        # Group chats (test/peers/omemo_rooms.py): room presences tell nicknames' real addresses.
        self.rooms = Rooms(xmpp, emit)
        xmpp.register_handler(Callback("omemo-peer-room-presences", MatchXPath(f"{{{NS_CLIENT}}}presence"),
                                       self.rooms.on_presence))

    # ----------------------------------------------------------------------------------------------------------
    # lifecycle

    def start(self) -> None:
        # +notify for the device list, so our own account's device list changes are pushed to us.
        self.xmpp["xep_0163"].add_interest(NODE_DEVICELIST)
        self.xmpp.connect((self.args.host, self.args.port), use_ssl=False, force_starttls=False,
                          disable_starttls=True)

    def fail(self, message: str) -> None:
        emit({"event": "error", "error": message})
        if not self.done.done():
            self.done.set_result(1)

    def on_failed_auth(self, _event: Any) -> None:
        self.fail("authentication failed")

    def on_connection_failed(self, event: Any) -> None:
        self.fail(f"connection failed: {event}")

    def on_disconnected(self, reason: Any) -> None:
        if not self.done.done():
            self.fail(f"disconnected: {reason}")

    async def on_session_start(self, _event: Any) -> None:
        try:
            self.xmpp.send_presence()
            await self.xmpp.get_roster()
            await self.setup_omemo()
        except Exception as e:  # pylint: disable=broad-except
            log.error("setup failed:\n%s", traceback.format_exc())
            self.fail(f"OMEMO setup failed: {type(e).__name__}: {e}")
            return
        self.ready.set()
        emit({"event": "ready", "device_id": self.device_id, "jid": self.own_bare})

    async def setup_omemo(self) -> None:
        state_dir = self.args.state_dir
        os.makedirs(state_dir, exist_ok=True)
        storage = JSONFileStorage(os.path.join(state_dir, f"omemo-{self.own_bare}.json"))
        cls = make_session_manager_class(self)
        self.backend = oldmemo.Oldmemo(storage)
        async with self.lock:
            sm = await cls.create(
                backends=[self.backend],
                storage=storage,
                own_bare_jid=self.own_bare,
                initial_own_label=None,
                undecided_trust_level_name=TRUST_UNDECIDED,
            )
            self.session_manager = sm
            own, _ = await sm.get_own_device_information()
            self.device_id = own.device_id
            # On a later run (state dir reused) create() neither republishes the bundle nor checks the device
            # list: make both consistent with the local state (adds our id to the list if it is missing).
            await sm.ensure_data_consistency()
            # Leave "history synchronisation" mode: pre keys are deleted once used and session-completing
            # empty messages are sent right away instead of being queued.
            await sm.after_history_sync()

    async def run(self) -> int:
        self.start()
        workers = [asyncio.ensure_future(self.incoming_worker()), asyncio.ensure_future(self.command_worker())]
        code = await self.done
        for w in workers:
            w.cancel()
        return code

    async def shutdown(self) -> None:
        if self.done.done():
            return
        self.done.set_result(0)  # before disconnecting, so "disconnected" is not reported as a failure
        try:
            await asyncio.wait_for(self.xmpp.disconnect(wait=2.0), 5)
        except Exception:  # pylint: disable=broad-except
            pass

    # ----------------------------------------------------------------------------------------------------------
    # PEP / pubsub

    async def pubsub_iq(self, payload: ET.Element, to: Optional[str] = None, itype: str = "set") -> slixmpp.Iq:
        iq = self.xmpp.make_iq_set(ito=to) if itype == "set" else self.xmpp.make_iq_get(ito=to)
        iq.append(payload)
        return await iq.send(timeout=IQ_TIMEOUT)

    async def publish(self, node: str, item: ET.Element) -> None:
        """Publishes `item` as item "current" of `node` on our own PEP service, with access_model=open (or, with
        --default-access-model, without publish-options: the node keeps the server's default access model)."""

        def build() -> ET.Element:
            pubsub = ET.Element(f"{{{NS_PUBSUB}}}pubsub")
            publish = ET.SubElement(pubsub, f"{{{NS_PUBSUB}}}publish", {"node": node})
            item_elt = ET.SubElement(publish, f"{{{NS_PUBSUB}}}item", {"id": "current"})
            item_elt.append(item)
            if not self.args.default_access_model:
                options = ET.SubElement(pubsub, f"{{{NS_PUBSUB}}}publish-options")
                options.append(data_form(f"{NS_PUBSUB}#publish-options", {"pubsub#access_model": "open"}))
            return pubsub

        try:
            await self.pubsub_iq(build())
        except IqError as e:
            if not has_precondition_not_met(e):
                raise
            # The node exists with another access model: make it open, then publish again.
            log.warning("publish to %s: precondition-not-met, reconfiguring the node to access_model=open", node)
            await self.configure_node(node, {"pubsub#access_model": "open"})
            await self.pubsub_iq(build())

    async def configure_node(self, node: str, fields: Dict[str, str]) -> None:
        pubsub = ET.Element(f"{{{NS_PUBSUB_OWNER}}}pubsub")
        configure = ET.SubElement(pubsub, f"{{{NS_PUBSUB_OWNER}}}configure", {"node": node})
        configure.append(data_form(f"{NS_PUBSUB}#node_config", fields))
        await self.pubsub_iq(pubsub)

    async def fetch_item(self, jid: str, node: str) -> Optional[ET.Element]:
        """The payload of the latest item of `node` at `jid` (item "current" preferred); None if there is none."""
        pubsub = ET.Element(f"{{{NS_PUBSUB}}}pubsub")
        ET.SubElement(pubsub, f"{{{NS_PUBSUB}}}items", {"node": node})
        try:
            result = await self.pubsub_iq(pubsub, to=jid, itype="get")
        except IqError as e:
            if is_condition(e, "item-not-found"):
                return None
            raise
        items = result.xml.findall(f"{{{NS_PUBSUB}}}pubsub/{{{NS_PUBSUB}}}items/{{{NS_PUBSUB}}}item")
        if not items:
            return None
        chosen = next((i for i in items if i.get("id") == "current"), items[-1])
        return next(iter(chosen), None)

    async def upload_bundle(self, bundle: omemo.Bundle) -> None:
        if not isinstance(bundle, oldmemo.oldmemo.BundleImpl):
            raise omemo.UnknownNamespace(f"unknown bundle type {type(bundle)}")
        try:
            await self.publish(f"{NODE_BUNDLES_PREFIX}{bundle.device_id}", oldmemo.etree.serialize_bundle(bundle))
        except (IqError, IqTimeout) as e:
            raise omemo.BundleUploadFailed(f"bundle upload failed: {iq_error_text(e)}") from e

    async def download_bundle(self, namespace: str, bare_jid: str, device_id: int) -> omemo.Bundle:
        if namespace != NS_OMEMO:
            raise omemo.UnknownNamespace(namespace)
        try:
            elt = await self.fetch_item(bare_jid, f"{NODE_BUNDLES_PREFIX}{device_id}")
        except (IqError, IqTimeout) as e:
            raise omemo.BundleDownloadFailed(
                f"bundle download failed for {bare_jid}/{device_id}: {iq_error_text(e)}") from e
        if elt is None or elt.tag != f"{{{NS_OMEMO}}}bundle":
            raise omemo.BundleNotFound(f"no bundle for {bare_jid}/{device_id}")
        try:
            return oldmemo.etree.parse_bundle(elt, bare_jid, device_id)
        except Exception as e:  # pylint: disable=broad-except
            raise omemo.BundleDownloadFailed(f"malformed bundle for {bare_jid}/{device_id}: {e}") from e

    async def delete_bundle(self, namespace: str, device_id: int) -> None:
        if namespace != NS_OMEMO:
            raise omemo.UnknownNamespace(namespace)
        pubsub = ET.Element(f"{{{NS_PUBSUB_OWNER}}}pubsub")
        ET.SubElement(pubsub, f"{{{NS_PUBSUB_OWNER}}}delete", {"node": f"{NODE_BUNDLES_PREFIX}{device_id}"})
        try:
            await self.pubsub_iq(pubsub)
        except IqError as e:
            if not is_condition(e, "item-not-found"):
                raise omemo.BundleDeletionFailed(iq_error_text(e)) from e
        except IqTimeout as e:
            raise omemo.BundleDeletionFailed("timeout") from e

    async def upload_device_list(self, namespace: str, device_list: Dict[int, Optional[str]]) -> None:
        if namespace != NS_OMEMO:
            raise omemo.UnknownNamespace(namespace)
        try:
            await self.publish(NODE_DEVICELIST, oldmemo.etree.serialize_device_list(device_list))
        except (IqError, IqTimeout) as e:
            raise omemo.DeviceListUploadFailed(f"device list upload failed: {iq_error_text(e)}") from e
        self.known_lists[self.own_bare] = sorted(device_list)

    async def download_device_list(self, namespace: str, bare_jid: str) -> Dict[int, Optional[str]]:
        if namespace != NS_OMEMO:
            raise omemo.UnknownNamespace(namespace)
        try:
            elt = await self.fetch_item(bare_jid, NODE_DEVICELIST)
        except (IqError, IqTimeout) as e:
            raise omemo.DeviceListDownloadFailed(
                f"device list download failed for {bare_jid}: {iq_error_text(e)}") from e
        devices: Dict[int, Optional[str]] = {}
        if elt is not None and elt.tag == f"{{{NS_OMEMO}}}list":
            if len(elt) > 0:
                try:
                    devices = oldmemo.etree.parse_device_list(elt)
                except Exception as e:  # pylint: disable=broad-except
                    raise omemo.DeviceListDownloadFailed(f"malformed device list of {bare_jid}: {e}") from e
        self.known_lists[bare_jid] = sorted(devices)
        return devices

    # ----------------------------------------------------------------------------------------------------------
    # sending

    def send_encrypted(self, message: omemo.Message, to: str, body: Optional[str],
                       message_id: Optional[str] = None, extra: Optional[List[ET.Element]] = None,
                       mtype: str = "chat") -> str:
        encrypted = oldmemo.etree.serialize_message(message)
        msg = self.xmpp.make_message(mto=to, mtype=mtype, mbody=body)
        msg["id"] = message_id or str(uuid.uuid4())
        msg.append(encrypted)
        # Elements other clients put beside the encrypted body (XEP-0461 reply, XEP-0428 fallback, XEP-0308 replace).
        for element in extra or []:
            msg.append(element)
        msg.append(ET.Element(f"{{{NS_HINTS}}}store"))
        msg.append(ET.Element(f"{{{NS_EME}}}encryption", {"namespace": NS_OMEMO, "name": "OMEMO"}))
        msg.send()
        return msg["id"]

    async def encrypt_and_send(self, to: str, plaintext: bytes, body: Optional[str],
                               extra: Optional[List[ET.Element]] = None,
                               message_id: Optional[str] = None) -> Dict[str, Any]:
        sm = self.session_manager
        assert sm is not None
        to = slixmpp.JID(to).bare
        async with self.lock:
            # Fresh device lists of the recipient and of our own account (no PEP notifications arrive for
            # accounts that are not contacts).
            await sm.refresh_device_list(NS_OMEMO, to)
            if to != self.own_bare:
                await sm.refresh_device_list(NS_OMEMO, self.own_bare)
            messages, errors = await sm.encrypt(frozenset([to]), {NS_OMEMO: plaintext})
            message = next(m for m in messages if m.namespace == NS_OMEMO)
            message_id = self.send_encrypted(message, to, body, message_id, extra)
        return self.sent(message_id, message, errors, [to])

    async def encrypt_and_send_room(self, room: str, members: List[str], plaintext: bytes) -> Dict[str, Any]:
        """One groupchat message encrypted for every device of every member and our own other devices."""
        sm = self.session_manager
        assert sm is not None
        recipients = sorted({slixmpp.JID(m).bare for m in members} - {self.own_bare})
        async with self.lock:
            for jid in [*recipients, self.own_bare]:
                await sm.refresh_device_list(NS_OMEMO, jid)
            messages, errors = await sm.encrypt(frozenset(recipients), {NS_OMEMO: plaintext})
            message = next(m for m in messages if m.namespace == NS_OMEMO)
            message_id = self.send_encrypted(message, room, FALLBACK_BODY, mtype="groupchat")
        result = self.sent(message_id, message, errors, recipients)
        result["members"] = recipients
        return result

    def sent(self, message_id: str, message: omemo.Message, errors: Any, to: List[str]) -> Dict[str, Any]:
        recipients = sorted({key.device_id for key, _ in message.keys})
        for error in errors:
            log.warning("encryption skipped %s/%s: %s", error.bare_jid, error.device_id, error.exception)
        listed = set(self.known_lists.get(self.own_bare, []))
        for jid in to:
            listed |= set(self.known_lists.get(jid, []))
        listed.discard(self.device_id)
        skipped = sorted((listed - set(recipients)) | {e.device_id for e in errors})
        return {"message_id": message_id, "recipients": recipients, "skipped": skipped}

    # ----------------------------------------------------------------------------------------------------------
    # receiving

    def on_message_stanza(self, msg: slixmpp.Message) -> None:
        self.incoming.put_nowait(msg)

    async def incoming_worker(self) -> None:
        await self.ready.wait()
        while True:
            msg = await self.incoming.get()
            try:
                await self.handle_message(msg)
            except Exception:  # pylint: disable=broad-except
                log.error("handling a message failed:\n%s", traceback.format_exc())

    async def handle_message(self, msg: slixmpp.Message) -> None:
        xml = msg.xml
        sender = msg["from"].bare if msg["from"] else self.own_bare
        stanza_id = msg["id"] or None
        mtype = msg["type"]

        event = xml.find(f"{{{NS_PUBSUB_EVENT}}}event")
        if event is not None:
            await self.handle_pubsub_event(sender, event)
            return
        if mtype == "error":
            log.warning("message error from %s: %s", msg["from"], msg["error"])
            return
        # A groupchat message is attributed to the sender's real address (non-anonymous room), never the nick.
        room = self.rooms.sender(msg)
        where: Dict[str, Any] = {}
        if room is not None:
            where = {"room": room["room"], "nick": room["nick"]}
            if room["own"]:
                emit({"event": "room_reflection", **where, "id": stanza_id,
                      "stanza": ET.tostring(xml, encoding="unicode")})
                return
            sender = room["jid"] or ""

        encrypted = xml.find(f"{{{NS_OMEMO}}}encrypted")
        if encrypted is None:
            body = xml.find(f"{{{NS_CLIENT}}}body")
            if body is not None:
                emit({"event": "plain", **where, "from": sender, "body": body.text or "", "id": stanza_id, "type": mtype,
                      "stanza": ET.tostring(xml, encoding="unicode")})
            else:
                # Without a body: reactions (XEP-0444), chat states (XEP-0085), receipts, markers.
                emit({"event": "stanza", **where, "from": sender, "id": stanza_id, "type": mtype,
                      "stanza": ET.tostring(xml, encoding="unicode")})
            return

        header = encrypted.find(f"{{{NS_OMEMO}}}header")
        sid: Optional[int] = None
        try:
            sid = int(header.get("sid")) if header is not None else None
        except (TypeError, ValueError):
            pass
        prekey = False
        if header is not None:
            for key in header.findall(f"{{{NS_OMEMO}}}key"):
                value = (key.get("prekey") or "").strip().lower()
                if value in ("false", "0", ""):
                    # python-oldmemo treats any present prekey attribute as true: drop explicit false values.
                    key.attrib.pop("prekey", None)
                elif key.get("rid") == str(self.device_id):
                    prekey = True

        def undecryptable(reason: str) -> None:
            emit({"event": "undecryptable", **where, "from": sender, "sid": sid, "reason": reason, "id": stanza_id})

        if room is not None and not sender:
            undecryptable("the room did not tell the sender's real address")
            return

        sm = self.session_manager
        assert sm is not None
        async with self.lock:
            try:
                message = await oldmemo.etree.parse_message(encrypted, sender, self.own_bare, sm)
            except Exception as e:  # pylint: disable=broad-except
                undecryptable(f"parse: {type(e).__name__}: {e}")
                return
            try:
                plaintext, device, _ = await sm.decrypt(message)
            except omemo.MessageNotForUs:
                undecryptable("MessageNotForUs: no key for this device")
                return
            except Exception as e:  # pylint: disable=broad-except
                log.warning("decryption failed:\n%s", traceback.format_exc())
                undecryptable(f"{type(e).__name__}: {e}")
                return
        emit({
            "event": "message",
            **where,
            "from": sender,
            "sid": device.device_id,
            "body": None if plaintext is None else plaintext.decode("utf-8", errors="replace"),
            "prekey": prekey,
            "id": stanza_id,
            "type": mtype,
            # The whole stanza as it arrived, so tests check what travelled beside the ciphertext.
            "stanza": ET.tostring(xml, encoding="unicode"),
        })

    async def handle_pubsub_event(self, sender: str, event: ET.Element) -> None:
        items = event.find(f"{{{NS_PUBSUB_EVENT}}}items")
        if items is None or items.get("node") != NODE_DEVICELIST:
            return
        item = items.find(f"{{{NS_PUBSUB_EVENT}}}item")
        lst = item.find(f"{{{NS_OMEMO}}}list") if item is not None else None
        if lst is None:
            return
        devices = oldmemo.etree.parse_device_list(lst) if len(lst) > 0 else {}
        sm = self.session_manager
        assert sm is not None
        async with self.lock:
            self.known_lists[sender] = sorted(devices)
            await sm.update_device_list(NS_OMEMO, sender, devices)
        emit({"event": "devicelist", "jid": sender, "devices": sorted(devices)})

    # ----------------------------------------------------------------------------------------------------------
    # commands

    async def command_worker(self) -> None:
        while True:
            line = await self.commands.get()
            if line is None:
                await self.shutdown()
                return
            line = line.strip()
            if not line:
                continue
            try:
                cmd = json.loads(line)
                if not isinstance(cmd, dict):
                    raise ValueError("a command must be a JSON object")
            except ValueError as e:
                emit({"id": None, "ok": False, "error": f"bad command line: {e}"})
                continue
            cid = cmd.get("id")
            name = cmd.get("cmd")
            if name == "quit":
                emit({"id": cid, "ok": True})
                await self.shutdown()
                return
            try:
                await asyncio.wait_for(self.ready.wait(), 60)
                result = await self.run_command(name, cmd)
                emit({"id": cid, "ok": True, **result})
            except Exception as e:  # pylint: disable=broad-except
                log.warning("command %s failed:\n%s", name, traceback.format_exc())
                error = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
                if isinstance(e, omemo.NoEligibleDevices):
                    error = f"NoEligibleDevices: no usable OMEMO device for {sorted(e.bare_jids)}"
                emit({"id": cid, "ok": False, "error": error})

    async def run_command(self, name: Any, cmd: Dict[str, Any]) -> Dict[str, Any]:
        if name == "send":
            to, body = cmd.get("to"), cmd.get("body")
            if not isinstance(to, str) or not isinstance(body, str):
                raise ValueError("send needs string 'to' and 'body'")
            extra_xml, message_id = cmd.get("extra", []), cmd.get("message_id")
            if not isinstance(extra_xml, list) or not all(isinstance(x, str) for x in extra_xml):
                raise ValueError("send's 'extra' is a list of XML strings")
            if message_id is not None and not isinstance(message_id, str):
                raise ValueError("send's 'message_id' is a string")
            extra = [ET.fromstring(x) for x in extra_xml]
            return await self.encrypt_and_send(to, body.encode("utf-8"), FALLBACK_BODY, extra, message_id)
        if name == "key_transport":
            to = cmd.get("to")
            if not isinstance(to, str):
                raise ValueError("key_transport needs a string 'to'")
            # AES-GCM of an empty plaintext is empty, which oldmemo serialises without <payload>.
            return await self.encrypt_and_send(to, b"", None)
        if name == "devices":
            jid = cmd.get("jid")
            if not isinstance(jid, str):
                raise ValueError("devices needs a string 'jid'")
            bare = slixmpp.JID(jid).bare
            devices = await self.download_device_list(NS_OMEMO, bare)
            return {"devices": sorted(devices)}
        if name == "publish_device_list":
            # Test aid: publish our device list as exactly `devices` plus our own id (e.g. to add a device id that
            # has no bundle, or to drop stale ones).
            ids = cmd.get("devices", [])
            if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
                raise ValueError("publish_device_list needs 'devices': [int]")
            sm = self.session_manager
            assert sm is not None
            device_list: Dict[int, Optional[str]] = {i: None for i in ids}
            device_list[self.device_id] = None
            async with self.lock:
                await self.upload_device_list(NS_OMEMO, device_list)
                await sm.update_device_list(NS_OMEMO, self.own_bare, device_list)
            return {"devices": sorted(device_list)}
        if name == "configure_node":
            # Test aid: set the access model of one of our PEP nodes ("devicelist", "bundle" = our bundle node,
            # or a full node name), e.g. to simulate a node created by a client that did not ask for "open".
            node, access_model = cmd.get("node"), cmd.get("access_model")
            if not isinstance(node, str) or not isinstance(access_model, str):
                raise ValueError("configure_node needs string 'node' and 'access_model'")
            node = {"devicelist": NODE_DEVICELIST, "bundle": f"{NODE_BUNDLES_PREFIX}{self.device_id}"}.get(node, node)
            async with self.lock:
                await self.configure_node(node, {"pubsub#access_model": access_model})
            return {"node": node}
        if name == "send_plain":
            to, body = cmd.get("to"), cmd.get("body")
            if not isinstance(to, str) or not isinstance(body, str):
                raise ValueError("send_plain needs string 'to' and 'body'")
            msg = self.xmpp.make_message(mto=slixmpp.JID(to).bare, mtype="chat", mbody=body)
            msg["id"] = str(uuid.uuid4())
            msg.send()
            return {"message_id": msg["id"]}
        if name == "subscription":
            jid = cmd.get("jid")
            if not isinstance(jid, str):
                raise ValueError("subscription needs a string 'jid'")
            bare = slixmpp.JID(jid).bare
            roster = self.xmpp.client_roster
            return {"subscription": roster[bare]["subscription"] if bare in roster else "none"}
        if name in ("subscribe", "approve"):
            jid = cmd.get("jid")
            if not isinstance(jid, str):
                raise ValueError(f"{name} needs a string 'jid'")
            item = self.xmpp.client_roster[slixmpp.JID(jid).bare]
            if name == "subscribe":
                item.subscribe()
            else:
                item.authorize()
            return {}
        if name == "access_model":
            node = cmd.get("node")
            if not isinstance(node, str):
                raise ValueError("access_model needs a string 'node'")
            node = {"devicelist": NODE_DEVICELIST, "bundle": f"{NODE_BUNDLES_PREFIX}{self.device_id}"}.get(node, node)
            pubsub = ET.Element(f"{{{NS_PUBSUB_OWNER}}}pubsub")
            ET.SubElement(pubsub, f"{{{NS_PUBSUB_OWNER}}}configure", {"node": node})
            result = await self.pubsub_iq(pubsub, itype="get")
            model = None
            for field in result.xml.iter(f"{{{NS_DATA}}}field"):
                if field.get("var") == "pubsub#access_model":
                    value = field.find(f"{{{NS_DATA}}}value")
                    model = value.text if value is not None else None
            return {"node": node, "access_model": model}
        if name == "republish":
            # Test aid: publish our bundle again and make sure our id is in our device list (both with
            # access_model=open, reconfiguring the nodes if needed).
            assert self.backend is not None and self.device_id is not None
            async with self.lock:
                await self.upload_bundle(await self.backend.get_bundle(self.own_bare, self.device_id))
                device_list = await self.download_device_list(NS_OMEMO, self.own_bare)
                device_list[self.device_id] = None
                await self.upload_device_list(NS_OMEMO, device_list)
            return {"devices": sorted(device_list)}
        if name == "ping":
            return {"device_id": self.device_id}
        if name == "join_room":
            room, nick = cmd.get("room"), cmd.get("nick")
            if not isinstance(room, str) or not isinstance(nick, str):
                raise ValueError("join_room needs string 'room' and 'nick'")
            return await self.rooms.join(room, nick)
        if name == "leave_room":
            room = cmd.get("room")
            if not isinstance(room, str):
                raise ValueError("leave_room needs a string 'room'")
            return self.rooms.leave(room)
        if name == "room_members":
            room = cmd.get("room")
            if not isinstance(room, str):
                raise ValueError("room_members needs a string 'room'")
            return {"members": await self.rooms.members(room)}
        if name == "send_room":
            # Members default to the room's affiliation lists and the participants present.
            room, body, members = cmd.get("room"), cmd.get("body"), cmd.get("members")
            if not isinstance(room, str) or not isinstance(body, str):
                raise ValueError("send_room needs string 'room' and 'body'")
            if members is None:
                members = await self.rooms.members(room)
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                raise ValueError("send_room's 'members' is a list of addresses")
            return await self.encrypt_and_send_room(slixmpp.JID(room).bare, members, body.encode("utf-8"))
        if name == "configure_room":
            room, fields = cmd.get("room"), cmd.get("fields")
            if not isinstance(room, str) or not isinstance(fields, dict) or \
                    not all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items()):
                raise ValueError("configure_room needs string 'room' and 'fields': {var: value}")
            return await self.rooms.configure(room, fields)
        if name == "set_affiliation":
            room, jid, affiliation = cmd.get("room"), cmd.get("jid"), cmd.get("affiliation")
            if not isinstance(room, str) or not isinstance(jid, str) or not isinstance(affiliation, str):
                raise ValueError("set_affiliation needs string 'room', 'jid' and 'affiliation'")
            return await self.rooms.set_affiliation(room, jid, affiliation)
        if name == "send_room_plain":
            room, body = cmd.get("room"), cmd.get("body")
            if not isinstance(room, str) or not isinstance(body, str):
                raise ValueError("send_room_plain needs string 'room' and 'body'")
            msg = self.xmpp.make_message(mto=slixmpp.JID(room).bare, mtype="groupchat", mbody=body)
            msg["id"] = str(uuid.uuid4())
            msg.send()
            return {"message_id": msg["id"]}
        raise ValueError(f"unknown command {name!r}")


def make_session_manager_class(peer: Peer) -> type:
    """A SessionManager subclass whose XMPP hooks are bound to `peer` (they run before create() returns)."""

    class PeerSessionManager(omemo.SessionManager):
        @staticmethod
        async def _upload_bundle(bundle: omemo.Bundle) -> None:
            await peer.upload_bundle(bundle)

        @staticmethod
        async def _download_bundle(namespace: str, bare_jid: str, device_id: int) -> omemo.Bundle:
            return await peer.download_bundle(namespace, bare_jid, device_id)

        @staticmethod
        async def _delete_bundle(namespace: str, device_id: int) -> None:
            await peer.delete_bundle(namespace, device_id)

        @staticmethod
        async def _upload_device_list(namespace: str, device_list: Dict[int, Optional[str]]) -> None:
            await peer.upload_device_list(namespace, device_list)

        @staticmethod
        async def _download_device_list(namespace: str, bare_jid: str) -> Dict[int, Optional[str]]:
            return await peer.download_device_list(namespace, bare_jid)

        async def _evaluate_custom_trust_level(self, device: DeviceInformation) -> TrustLevel:
            if device.trust_level_name == TRUST_BLIND:
                return TrustLevel.TRUSTED
            if device.trust_level_name == TRUST_UNDECIDED:
                return TrustLevel.UNDECIDED
            if device.trust_level_name == TRUST_DISTRUSTED:
                return TrustLevel.DISTRUSTED
            raise omemo.UnknownTrustLevel(device.trust_level_name)

        async def _make_trust_decision(self, undecided: FrozenSet[DeviceInformation],
                                       identifier: Optional[str]) -> None:
            # Blind trust.
            for device in undecided:
                await self.set_trust(device.bare_jid, device.identity_key, TRUST_BLIND)

        @staticmethod
        async def _send_message(message: omemo.Message, bare_jid: str) -> None:
            # Empty messages from the library (session completion after a key exchange, staleness prevention).
            if message.namespace != NS_OMEMO:
                raise omemo.UnknownNamespace(message.namespace)
            try:
                peer.send_encrypted(message, bare_jid, None)
            except Exception as e:  # pylint: disable=broad-except
                raise omemo.MessageSendingFailed(str(e)) from e

    return PeerSessionManager


# --------------------------------------------------------------------------------------------------------------
# main


def read_stdin(loop: asyncio.AbstractEventLoop, queue: "asyncio.Queue[Optional[str]]") -> None:
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5222)
    parser.add_argument("--state-dir", default=None, help="OMEMO state directory (default: a fresh temp dir)")
    parser.add_argument("--default-access-model", action="store_true",
                        help="publish without forcing access_model=open (the server's default, like Profanity)")
    parser.add_argument("--manual-subscriptions", action="store_true",
                        help="subscription requests wait for an 'approve' command (like Profanity)")
    parser.add_argument("--verbose", action="store_true", help="debug logs on stderr")
    args = parser.parse_args()

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format=f"[omemo_peer {args.jid}] %(levelname)s %(name)s: %(message)s",
    )

    temp_dir = None
    if args.state_dir is None:
        temp_dir = tempfile.mkdtemp(prefix="omemo-peer-")
        args.state_dir = temp_dir

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    peer = Peer(args, loop)
    threading.Thread(target=read_stdin, args=(loop, peer.commands), daemon=True).start()
    try:
        code = loop.run_until_complete(peer.run())
    except KeyboardInterrupt:
        code = 130
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
    sys.stdout.flush()
    # Daemon stdin thread and slixmpp leftovers must not keep the process alive.
    os._exit(code)


if __name__ == "__main__":
    main()
