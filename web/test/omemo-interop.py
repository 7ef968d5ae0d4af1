#!/usr/bin/python3
"""Offline OMEMO 0.3 counterpart for web/test/omemo-interop.test.ts: python-omemo 1.x + python-oldmemo (an
independent implementation) with an in-memory PEP instead of XMPP. JSON lines on stdin, one JSON answer per line.

  {"cmd":"init","jid":J}                      -> {"device_id":N,"items":{node: xml}}  (what it published)
  {"cmd":"put","jid":J,"node":N,"xml":X}       -> {}   (a PEP item of another account; device lists are applied)
  {"cmd":"encrypt","to":J,"body":S|null}       -> {"xml":X,"errors":[str]}  (body null: key transport)
  {"cmd":"decrypt","from":J,"xml":X}           -> {"body":S|null,"sid":N,"outbox":[xml]}  (outbox: empty messages
                                                  python-omemo sent, e.g. to complete a session)
Debian 12: python3-omemo python3-oldmemo.
"""

import asyncio
import json
import sys
import traceback
import xml.etree.ElementTree as ET

import omemo
import oldmemo
import oldmemo.etree
from omemo.storage import Just, Nothing
from omemo.types import TrustLevel

NS = oldmemo.oldmemo.NAMESPACE
DEVICELIST = f"{NS}.devicelist"
BUNDLES = f"{NS}.bundles:"

pep = {}
outbox = []
state = {"own": None, "sm": None}


class MemStorage(omemo.Storage):
    def __init__(self):
        super().__init__()
        self.data = {}

    async def _load(self, key):
        return Just(self.data[key]) if key in self.data else Nothing()

    async def _store(self, key, value):
        self.data[key] = value

    async def _delete(self, key):
        self.data.pop(key, None)


def tostring(el):
    return ET.tostring(el, encoding="unicode")


class SM(omemo.SessionManager):
    @staticmethod
    async def _upload_bundle(bundle):
        pep[(state["own"], f"{BUNDLES}{bundle.device_id}")] = tostring(oldmemo.etree.serialize_bundle(bundle))

    @staticmethod
    async def _download_bundle(namespace, bare_jid, device_id):
        xml = pep.get((bare_jid, f"{BUNDLES}{device_id}"))
        if xml is None:
            raise omemo.BundleNotFound(f"no bundle {bare_jid}/{device_id}")
        return oldmemo.etree.parse_bundle(ET.fromstring(xml), bare_jid, device_id)

    @staticmethod
    async def _delete_bundle(namespace, device_id):
        pep.pop((state["own"], f"{BUNDLES}{device_id}"), None)

    @staticmethod
    async def _upload_device_list(namespace, device_list):
        pep[(state["own"], DEVICELIST)] = tostring(oldmemo.etree.serialize_device_list(device_list))

    @staticmethod
    async def _download_device_list(namespace, bare_jid):
        xml = pep.get((bare_jid, DEVICELIST))
        if xml is None:
            return {}
        el = ET.fromstring(xml)
        return oldmemo.etree.parse_device_list(el) if len(el) > 0 else {}

    async def _evaluate_custom_trust_level(self, device):
        return TrustLevel.TRUSTED

    async def _make_trust_decision(self, undecided, identifier):
        for device in undecided:
            await self.set_trust(device.bare_jid, device.identity_key, "blind")

    @staticmethod
    async def _send_message(message, bare_jid):
        outbox.append(tostring(oldmemo.etree.serialize_message(message)))


async def run(cmd):
    name = cmd["cmd"]
    if name == "init":
        state["own"] = cmd["jid"]
        storage = MemStorage()
        sm = await SM.create(
            backends=[oldmemo.Oldmemo(storage)],
            storage=storage,
            own_bare_jid=cmd["jid"],
            initial_own_label=None,
            undecided_trust_level_name="undecided",
        )
        await sm.after_history_sync()
        state["sm"] = sm
        own, _ = await sm.get_own_device_information()
        items = {node: xml for (jid, node), xml in pep.items() if jid == cmd["jid"]}
        return {"device_id": own.device_id, "items": items}
    sm = state["sm"]
    if name == "put":
        pep[(cmd["jid"], cmd["node"])] = cmd["xml"]
        if cmd["node"] == DEVICELIST:
            el = ET.fromstring(cmd["xml"])
            devices = oldmemo.etree.parse_device_list(el) if len(el) > 0 else {}
            await sm.update_device_list(NS, cmd["jid"], devices)
        return {}
    if name == "encrypt":
        body = cmd["body"]
        plaintext = b"" if body is None else body.encode("utf-8")
        messages, errors = await sm.encrypt(frozenset([cmd["to"]]), {NS: plaintext})
        message = next(m for m in messages if m.namespace == NS)
        return {"xml": tostring(oldmemo.etree.serialize_message(message)), "errors": [str(e) for e in errors]}
    if name == "decrypt":
        outbox.clear()
        encrypted = ET.fromstring(cmd["xml"])
        message = await oldmemo.etree.parse_message(encrypted, cmd["from"], state["own"], sm)
        plaintext, device, _ = await sm.decrypt(message)
        body = None if plaintext is None else plaintext.decode("utf-8")
        return {"body": body, "sid": device.device_id, "outbox": list(outbox)}
    raise ValueError(f"unknown command {name}")


async def main():
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        cmd = json.loads(line)
        try:
            result = await run(cmd)
            out = {"id": cmd.get("id"), "ok": True, **result}
        except Exception as e:  # pylint: disable=broad-except
            out = {"id": cmd.get("id"), "ok": False, "error": f"{type(e).__name__}: {e}",
                   "trace": traceback.format_exc()}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


asyncio.run(main())
