#pragma once

// How busy the machine is: the processors this process may use, and the threads of other
// processes ready to run on them. OpenMP threads spin while they wait for each other, so a
// team larger than the free cores is slowed by orders of magnitude; the automatic thread
// choice keeps its teams within the free cores.

#include <functional>

namespace rnnkit::kernels {

struct Load {
  int processors = 1;
  double others_ready = 0;  // a recent average
};

/// Reads the load, at most once per 10 ms (in between it returns the last reading): the
/// running count of /proc/loadavg less this process's running threads, averaged over the last
/// few readings.
Load system_load();

/// What the automatic choice asks for the load: system_load(), or `probe` when one is set
/// (tests set a load they know; an empty function restores the system's).
void set_load_probe(std::function<Load()> probe);
Load current_load();

/// The most threads that fit on the cores other processes leave free, within [1, all].
int free_team(int all);

}  // namespace rnnkit::kernels
