#include "kernels/threads_load.h"

#include <omp.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

namespace rnnkit::kernels {
namespace {

constexpr auto reading_interval = std::chrono::milliseconds(10);
// Each reading counts for a quarter of the average: a competitor is seen within a few tens of
// milliseconds, and a process that only blinks (a compiler's short-lived step) barely moves it.
constexpr double reading_weight = 0.25;

// The running (ready or on a core) scheduling entities of the whole system, from the fourth
// field of /proc/loadavg, "running/total"; 0 when it cannot be read.
int system_running() {
  std::ifstream file("/proc/loadavg");
  double one_minute = 0, five_minutes = 0, fifteen_minutes = 0;
  int running = 0;
  file >> one_minute >> five_minutes >> fifteen_minutes >> running;
  return file ? running : 0;
}

// This process's threads in state R, the third field of /proc/self/task/<tid>/stat (after the
// parenthesised name, which may itself hold spaces and parentheses).
int own_running() {
  int running = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator task("/proc/self/task", error), end;
       !error && task != end; task.increment(error)) {
    std::ifstream file(task->path() / "stat");
    std::string line;
    std::getline(file, line);
    const auto name_end = line.rfind(')');
    if (name_end != std::string::npos && name_end + 2 < line.size() && line[name_end + 2] == 'R') {
      ++running;
    }
  }
  return running;
}

class LoadReader {
 public:
  Load read() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ >= reading_interval) {
      last_ = now;
      // /proc/loadavg counts the whole machine; when this process may use only some of its
      // processors (affinity, a container's cpuset), only their share of the others lands there.
      const double others = std::max(0, system_running() - own_running()) *
                            static_cast<double>(processors_) / online_;
      average_ += reading_weight * (others - average_);
    }
    return {.processors = processors_, .others_ready = average_};
  }

 private:
  std::mutex mutex_;
  const int processors_ = omp_get_num_procs();
  const int online_ = std::max(processors_, get_nprocs());
  std::chrono::steady_clock::time_point last_{};
  double average_ = 0;
};

struct Probe {
  std::mutex mutex;
  std::function<Load()> function;
};

Probe& probe() {
  static Probe instance;
  return instance;
}

}  // namespace

Load system_load() {
  static LoadReader reader;
  return reader.read();
}

void set_load_probe(std::function<Load()> function) {
  std::lock_guard lock(probe().mutex);
  probe().function = std::move(function);
}

Load current_load() {
  {
    std::lock_guard lock(probe().mutex);
    if (probe().function) return probe().function();
  }
  return system_load();
}

int free_team(int all) {
  const Load load = current_load();
  const auto free = static_cast<int>(std::lround(load.processors - load.others_ready));
  return std::clamp(free, 1, all);
}

}  // namespace rnnkit::kernels
