// The decisions of scripts/install-prosody.mjs, from the outputs of dpkg, apt and the files they read (taken from
// Debian 12 machines: a fresh one with 0.12, one with 13 from backports). Nothing here runs apt.
import { describe, it, expect } from "vitest";
import {
  isProsody13OrNewer,
  modulesFitProsody13,
  parseDepends,
  parseOsRelease,
  parseProsodyctlAbout,
  pickModules012,
  pickProsody012,
  planCommands,
  planProsodyInstall,
  pointLauncherAt,
  prosodyMajor,
  renderBackportsSource,
  sourcesHaveSuite,
  takeServerFlag,
} from "../../scripts/install-prosody.mjs";

const DEBIAN_SOURCES = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;
const BACKPORTS_SOURCES = `Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;
const MODULES_13_DEPENDS = "prosody (>= 13~)";
const MODULES_012_DEPENDS = "prosody (>= 0.12~)";

describe("versions", () => {
  it.each([
    ["13.0.1-1~bpo12+1", 13],
    ["13.0.2-1", 13],
    ["1:14.0.0-1", 14],
    ["0.12.3-1+deb12u1", 0],
    ["0.11.9-2+deb11u2", 0],
    ["13~", 13],
    ["0.12~", 0],
  ])("%s is major %d", (version, major) => {
    expect(prosodyMajor(version)).toBe(major);
  });

  it("tells 13 from 0.12 and from nothing", () => {
    expect(isProsody13OrNewer("13.0.1-1~bpo12+1")).toBe(true);
    expect(isProsody13OrNewer("0.12.3-1+deb12u1")).toBe(false);
    expect(isProsody13OrNewer(undefined)).toBe(false);
    expect(isProsody13OrNewer("hg:1234")).toBe(false);
  });

  it("reads prosodyctl about", () => {
    expect(parseProsodyctlAbout("Prosody 13.0.1\n\n# Prosody directories\nData directory: /var/lib/prosody\n")).toBe(
      "13.0.1",
    );
    expect(parseProsodyctlAbout("lua5.4: cannot open /usr/bin/prosodyctl")).toBeUndefined();
  });

  it("knows prosody-modules for 13 by what it depends on", () => {
    expect(modulesFitProsody13(MODULES_13_DEPENDS)).toBe(true);
    expect(modulesFitProsody13(MODULES_012_DEPENDS)).toBe(false);
    expect(modulesFitProsody13("lua5.4, prosody")).toBe(false);
    expect(modulesFitProsody13(undefined)).toBe(false);
  });
});

describe("os-release and Depends", () => {
  it("reads the codename", () => {
    const text =
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
    expect(parseOsRelease(text).VERSION_CODENAME).toBe("bookworm");
    expect(parseOsRelease(text).PRETTY_NAME).toBe("Debian GNU/Linux 12 (bookworm)");
  });

  it("splits a Depends field into alternatives without version bounds", () => {
    expect(
      parseDepends(
        "adduser, lua-expat (>= 1.2.0), lua-filesystem (>= 1.4.2-3~), lua5.4, lua5.4-bitop, libc6 (>= 2.34), a | b:any",
      ),
    ).toEqual([["adduser"], ["lua-expat"], ["lua-filesystem"], ["lua5.4"], ["lua5.4-bitop"], ["libc6"], ["a", "b"]]);
    expect(parseDepends("")).toEqual([]);
  });
});

describe("apt sources", () => {
  it("finds backports in a deb822 file, as added by hand or by the script", () => {
    const files = [
      { path: "/etc/apt/sources.list.d/debian.sources", text: DEBIAN_SOURCES },
      { path: "/etc/apt/sources.list.d/bookworm-backports.sources", text: BACKPORTS_SOURCES },
    ];
    expect(sourcesHaveSuite(files, "bookworm-backports")).toBe(true);
    expect(sourcesHaveSuite(files.slice(0, 1), "bookworm-backports")).toBe(false);
    expect(sourcesHaveSuite(files.slice(0, 1), "bookworm-updates")).toBe(true);
    expect(
      sourcesHaveSuite(
        [{ path: "/etc/apt/sources.list.d/x.sources", text: renderBackportsSource("bookworm-backports") }],
        "bookworm-backports",
      ),
    ).toBe(true);
  });

  it("finds backports on a one-line deb line, with or without options", () => {
    const list = (text: string) => [{ path: "/etc/apt/sources.list", text }];
    expect(
      sourcesHaveSuite(list("deb http://deb.debian.org/debian bookworm-backports main\n"), "bookworm-backports"),
    ).toBe(true);
    expect(
      sourcesHaveSuite(
        list(
          "deb [ arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://ftp.de.debian.org/debian bookworm-backports main contrib\n",
        ),
        "bookworm-backports",
      ),
    ).toBe(true);
  });

  it("ignores what apt ignores: comments, deb-src, Enabled: no, files apt does not read", () => {
    const line = "deb http://deb.debian.org/debian bookworm-backports main\n";
    expect(sourcesHaveSuite([{ path: "/etc/apt/sources.list", text: `# ${line}` }], "bookworm-backports")).toBe(false);
    expect(
      sourcesHaveSuite(
        [{ path: "/etc/apt/sources.list", text: "deb-src http://deb.debian.org/debian bookworm-backports main\n" }],
        "bookworm-backports",
      ),
    ).toBe(false);
    expect(
      sourcesHaveSuite(
        [{ path: "/etc/apt/sources.list.d/bp.sources", text: `Enabled: no\n${BACKPORTS_SOURCES}` }],
        "bookworm-backports",
      ),
    ).toBe(false);
    expect(
      sourcesHaveSuite(
        [{ path: "/etc/apt/sources.list.d/bp.sources.disabled", text: BACKPORTS_SOURCES }],
        "bookworm-backports",
      ),
    ).toBe(false);
    expect(sourcesHaveSuite([{ path: "/etc/apt/sources.list.d/bp.list.save", text: line }], "bookworm-backports")).toBe(
      false,
    );
    expect(
      sourcesHaveSuite(
        [
          {
            path: "/etc/apt/sources.list.d/bp.sources",
            text: BACKPORTS_SOURCES.replace("Types: deb", "Types: deb-src"),
          },
        ],
        "bookworm-backports",
      ),
    ).toBe(false);
  });
});

describe("planProsodyInstall", () => {
  it("does nothing when 13 and its prosody-modules are installed", () => {
    expect(
      planProsodyInstall({
        codename: "bookworm",
        prosodyVersion: "13.0.1-1~bpo12+1",
        modulesDepends: MODULES_13_DEPENDS,
        backportsConfigured: true,
      }),
    ).toBeUndefined();
  });

  it("installs both from backports on a fresh bookworm, adding the source", () => {
    const plan = planProsodyInstall({
      codename: "bookworm",
      prosodyVersion: undefined,
      modulesDepends: undefined,
      backportsConfigured: false,
    });
    expect(plan).toEqual({
      packages: ["prosody", "prosody-modules"],
      target: "bookworm-backports",
      addBackportsSource: true,
      upgrade: false,
    });
    expect(planCommands(plan!)).toEqual([
      "add the bookworm-backports apt source (/etc/apt/sources.list.d/bookworm-backports.sources)",
      "apt-get update",
      "apt-get install -y -t bookworm-backports prosody prosody-modules",
    ]);
  });

  it("upgrades an installed 0.12 (and bookworm's prosody-modules) from a backports source that is already there", () => {
    expect(
      planProsodyInstall({
        codename: "bookworm",
        prosodyVersion: "0.12.3-1+deb12u1",
        modulesDepends: MODULES_012_DEPENDS,
        backportsConfigured: true,
      }),
    ).toEqual({
      packages: ["prosody", "prosody-modules"],
      target: "bookworm-backports",
      addBackportsSource: false,
      upgrade: true,
    });
  });

  it("adds only prosody-modules next to an installed 13", () => {
    expect(
      planProsodyInstall({
        codename: "bookworm",
        prosodyVersion: "13.0.1-1~bpo12+1",
        modulesDepends: undefined,
        backportsConfigured: true,
      }),
    ).toEqual({
      packages: ["prosody-modules"],
      target: "bookworm-backports",
      addBackportsSource: false,
      upgrade: false,
    });
  });

  it("installs the distribution's own package where stable ships 13 (trixie)", () => {
    const plan = planProsodyInstall({
      codename: "trixie",
      prosodyVersion: undefined,
      modulesDepends: undefined,
      backportsConfigured: false,
    });
    expect(plan).toEqual({
      packages: ["prosody", "prosody-modules"],
      target: undefined,
      addBackportsSource: false,
      upgrade: false,
    });
    expect(planCommands(plan!).at(-1)).toBe("apt-get install -y prosody prosody-modules");
  });
});

describe("Prosody 0.12 beside 13", () => {
  const MADISON = [
    "   prosody | 13.0.1-1~bpo12+1 | http://deb.debian.org/debian bookworm-backports/main amd64 Packages",
    "   prosody | 0.12.3-1+deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages",
    "   prosody | 0.12.3-1+deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages",
    "",
  ].join("\n");

  it("picks bookworm's 0.12 from apt-cache madison", () => {
    expect(pickProsody012(MADISON)).toBe("0.12.3-1+deb12u1");
    expect(pickProsody012(MADISON.split("\n")[0]!)).toBeUndefined();
    expect(pickProsody012("")).toBeUndefined();
  });

  it("picks bookworm's own prosody-modules (built for 0.12), never the backport", () => {
    const madison = [
      "prosody-modules | 0.0~hg20250402.f315edc39f3d+dfsg-1~bpo12+1 | http://deb.debian.org/debian bookworm-backports/main amd64 Packages",
      "prosody-modules | 0.0~hg20230223.556bf57d6417+dfsg-1 | http://deb.debian.org/debian bookworm/main amd64 Packages",
    ].join("\n");
    expect(pickModules012(madison)).toBe("0.0~hg20230223.556bf57d6417+dfsg-1");
    expect(pickModules012(madison.split("\n")[0] ?? "")).toBeUndefined();
  });

  it("points a launcher's configure-time paths at the extracted tree", () => {
    const launcher = [
      "#!/usr/bin/env lua5.4",
      "-- Will be modified by configure script if run --",
      "",
      "CFG_SOURCEDIR='/usr/lib/prosody';",
      "CFG_CONFIGDIR='/etc/prosody';",
      "CFG_PLUGINDIR='/usr/lib/prosody/modules/';",
      "CFG_DATADIR='/var/lib/prosody';",
      "",
      'package.path = CFG_SOURCEDIR.."/?.lua;"..package.path;',
    ].join("\n");
    const out = pointLauncherAt(launcher, "/work/x/.parley/prosody-0.12");
    expect(out).toContain('CFG_SOURCEDIR="/work/x/.parley/prosody-0.12/usr/lib/prosody";');
    expect(out).toContain('CFG_CONFIGDIR="/work/x/.parley/prosody-0.12/etc/prosody";');
    expect(out).toContain('CFG_PLUGINDIR="/work/x/.parley/prosody-0.12/usr/lib/prosody/modules/";');
    expect(out).toContain('CFG_DATADIR="/work/x/.parley/prosody-0.12/var/lib/prosody";');
    expect(out).not.toMatch(/'\/(usr|etc|var)\//);
    expect(out.startsWith("#!/usr/bin/env lua5.4\n")).toBe(true);
    // Quotes in the path stay inside the Lua string.
    expect(pointLauncherAt(launcher, '/tmp/a"b')).toContain('CFG_DATADIR="/tmp/a\\034b/var/lib/prosody";');
    expect(() => pointLauncherAt("#!/usr/bin/env lua5.4\n", "/t")).toThrow(/CFG_SOURCEDIR/);
  });
});

describe("takeServerFlag", () => {
  it.each([
    [[], "13", []],
    [["--server", "prosody-0.12"], "0.12", []],
    [["--server=prosody-0.12", "--project", "workers"], "0.12", ["--project", "workers"]],
    [["test/unit", "--server", "0.12"], "0.12", ["test/unit"]],
    [["--server", "prosody-13"], "13", []],
  ] as const)("%j", (argv, server, rest) => {
    expect(takeServerFlag([...argv])).toEqual({ server, rest: [...rest] });
  });

  it("refuses other servers", () => {
    expect(() => takeServerFlag(["--server", "ejabberd"])).toThrow(/prosody-13 or prosody-0.12/);
    expect(() => takeServerFlag(["--server"])).toThrow(/needs a value/);
  });
});
