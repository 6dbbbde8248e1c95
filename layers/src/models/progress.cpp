#include "models/progress.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace rnnkit::models::detail {
namespace {

constexpr int bar_width = 30;
constexpr auto plain_line_interval = std::chrono::seconds(5);
constexpr auto live_redraw_interval = std::chrono::milliseconds(50);  // Keras's Progbar interval

// Keras's time formats: "1:02:03" over an hour, "2:03" over a minute, else "7s".
std::string eta_text(double seconds) {
  const auto whole = static_cast<long long>(seconds);
  if (whole >= 3600) {
    return fmt::format("{}:{:02}:{:02}", whole / 3600, (whole % 3600) / 60, whole % 60);
  }
  if (whole >= 60) return fmt::format("{}:{:02}", whole / 60, whole % 60);
  return fmt::format("{}s", whole);
}

// "3ms/step" style, as Keras picks s, ms or us.
std::string per_unit_text(double seconds, const char* unit) {
  if (seconds >= 1.0) return fmt::format("{:.0f}s/{}", seconds, unit);
  if (seconds >= 1e-3) return fmt::format("{:.0f}ms/{}", seconds * 1e3, unit);
  return fmt::format("{:.0f}us/{}", seconds * 1e6, unit);
}

std::string logs_text(const Logs& logs) {
  std::string text;
  for (const auto& [name, value] : logs) {
    text += std::abs(value) > 1e-3 ? fmt::format(" - {}: {:.4f}", name, value)
                                   : fmt::format(" - {}: {:.4e}", name, value);
  }
  return text;
}

}  // namespace

bool is_terminal(const std::ostream& out) {
  return &out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
}

ProgressBar::ProgressBar(std::ostream& out, int verbose, bool live, std::int64_t target)
    : out_(out), verbose_(verbose), live_(live), target_(target) {}

std::string ProgressBar::bar(std::int64_t current) const {
  const int digits =
      static_cast<int>(std::floor(std::log10(std::max<std::int64_t>(target_, 1)))) + 1;
  std::string text = fmt::format("{:>{}}/{} [", current, digits, target_);
  const auto filled = target_ > 0 ? static_cast<int>(bar_width * current / target_) : bar_width;
  if (filled > 0) {
    text += std::string(static_cast<std::size_t>(filled - 1), '=');
    text += current < target_ ? '>' : '=';
  }
  text += std::string(static_cast<std::size_t>(bar_width - filled), '.');
  return text + "]";
}

void ProgressBar::update(std::int64_t current, const Logs& logs, bool finished) {
  const Clock::time_point now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double per_step = current > 0 ? elapsed / static_cast<double>(current) : 0.0;
  std::string line;
  if (verbose_ == 2) {
    if (!finished) return;
    line = fmt::format("{}/{} - {:.0f}s{} - {} - {}", current, target_, elapsed, logs_text(logs),
                       per_unit_text(elapsed, "epoch"), per_unit_text(per_step, "step"));
  } else {
    const auto interval = live_ ? live_redraw_interval : plain_line_interval;
    if (!finished && now - last_update_ < interval) return;
    line = bar(current);
    if (finished) {
      line += fmt::format(" - {:.0f}s {}", elapsed, per_unit_text(per_step, "step"));
    } else {
      line += " - ETA: " + eta_text(per_step * static_cast<double>(target_ - current));
    }
    line += logs_text(logs);
  }
  if (live_ && verbose_ == 1) {
    // Redraw in place: back to the line start, and blank what a longer previous line left.
    const std::size_t width = line.size();
    if (width < last_width_) line += std::string(last_width_ - width, ' ');
    last_width_ = width;
    out_ << '\r' << line;
    if (finished) out_ << '\n';
  } else {
    out_ << line << '\n';
  }
  last_update_ = now;
  out_.flush();
}

ProgressLogger::ProgressLogger(std::ostream& out, int verbose, int epochs, std::int64_t steps)
    : out_(out), verbose_(verbose), epochs_(epochs), steps_(steps), live_(is_terminal(out)) {}

void ProgressLogger::start() {
  seen_ = 0;
  bar_ = std::make_unique<ProgressBar>(out_, verbose_, live_, steps_);
}

void ProgressLogger::step(std::int64_t batch, const Logs& logs) {
  seen_ = batch + 1;
  bar_->update(seen_, logs, false);
}

void ProgressLogger::finish(const Logs& logs) {
  if (bar_) bar_->update(seen_, logs, true);
  bar_.reset();
}

void ProgressLogger::on_epoch_begin(int epoch, const Logs&) {
  if (epochs_ > 1) fmt::print(out_, "Epoch {}/{}\n", epoch + 1, epochs_);
  start();
}

void ProgressLogger::on_train_batch_end(std::int64_t batch, const Logs& logs) { step(batch, logs); }

void ProgressLogger::on_epoch_end(int, Logs& logs) { finish(logs); }

void ProgressLogger::on_test_begin(const Logs&) { start(); }

void ProgressLogger::on_test_batch_end(std::int64_t batch, const Logs& logs) { step(batch, logs); }

void ProgressLogger::on_test_end(const Logs& logs) { finish(logs); }

void ProgressLogger::on_predict_begin(const Logs&) { start(); }

void ProgressLogger::on_predict_batch_end(std::int64_t batch, const Logs& logs) {
  step(batch, logs);
}

void ProgressLogger::on_predict_end(const Logs&) { finish({}); }

}  // namespace rnnkit::models::detail
