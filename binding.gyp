# Native parts of gradebox: the sandbox launcher (a plain C executable) and,
# added by the seccomp work, the libseccomp addon.
{
  "targets": [
    {
      "target_name": "gradebox-launch",
      "type": "executable",
      "sources": [
        "native/launcher/main.c",
        "native/launcher/launch.c",
        "native/launcher/protocol.c",
        "native/launcher/util.c",
        "native/launcher/options.c",
        "native/launcher/slot.c",
        "native/launcher/cgroup.c",
        "native/launcher/cgroup-v1.c",
        "native/launcher/cgroup-v2.c",
        "native/launcher/cgroup-files.c",
        "native/launcher/rootfs.c",
        "native/launcher/netns.c",
        "native/launcher/copy-tree.c",
        "native/launcher/child.c",
        "native/launcher/supervise.c",
        "native/launcher/server.c",
        "native/launcher/incident.c"
      ],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wno-format-truncation", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2"],
      "cflags!": ["-fno-exceptions"],
      "defines": ["_GNU_SOURCE"],
      "ldflags": ["-Wl,-z,relro,-z,now"]
    },
    {
      "target_name": "gradebox-snapshot",
      "type": "executable",
      "sources": ["native/launcher/snapshot.c", "native/launcher/snapshot-main.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wno-format-truncation", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2"],
      "defines": ["_GNU_SOURCE"],
      "ldflags": ["-Wl,-z,relro,-z,now"],
      "libraries": ["-larchive", "-lcrypto"]
    },
    {
      "target_name": "gradebox-spawn-loop",
      "type": "executable",
      "sources": ["native/bench/spawn-loop.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2"],
      "ldflags": ["-Wl,-z,relro,-z,now"]
    },
    {
      "target_name": "gradebox_seccomp",
      "sources": ["native/seccomp/filter.c", "native/seccomp/audit-reader.c", "native/seccomp/binding.cc"],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags": ["-O2", "-Wall", "-Werror"],
      "cflags_c": ["-std=gnu11"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-fexceptions"],
      "libraries": ["-lseccomp"]
    }
  ]
}
