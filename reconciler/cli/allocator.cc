// Settings of jemalloc, which `signet` links (see CMakeLists.txt).
//
// By default jemalloc returns freed pages to the system within about ten
// seconds. Each commit to a large zone builds its next version beside the
// last one. After a quiet spell, that costs a page fault for every page
// of the new version: about 100,000 faults and half a second for a zone
// of a million names, measured on a virtual machine.
//
// Freed pages are kept for the next commit instead, so the process stays
// at the size it reached at its busiest. MALLOC_CONF in the environment
// overrides this: MALLOC_CONF=dirty_decay_ms:10000 returns memory after
// ten idle seconds again.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's.
const char* malloc_conf = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
}
