// Draws alert charts off the io thread: one worker thread renders (about 10-20 ms a chart)
// and posts each result back to the executor it was given, in the order asked. A burst of
// signals therefore never holds up the stream; it only waits for its own pictures.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "teleglas/charts/chart.hpp"
#include "teleglas/core/chart_data.hpp"

namespace teleglas {

class ChartRenderer {
 public:
  using Done = std::function<void(charts::RenderedChart)>;
  // Charts waiting beyond this are not drawn (their alerts go as text): a picture that comes
  // minutes late is worth less than the alert without it.
  static constexpr std::size_t max_waiting = 64;

  ChartRenderer(boost::asio::any_io_executor deliver_on, charts::ChartOptions options = {});
  // Finishes the chart in hand; the waiting ones are dropped without calling back.
  ~ChartRenderer();
  ChartRenderer(const ChartRenderer&) = delete;
  ChartRenderer& operator=(const ChartRenderer&) = delete;

  // Renders `data` on the worker and posts `done` with the result to the executor. From any
  // thread. Beyond max_waiting, `done` is posted at once with an error.
  void render(std::shared_ptr<const charts::ChartData> data, Done done);

 private:
  struct Job {
    std::shared_ptr<const charts::ChartData> data;
    Done done;
  };
  void work();

  boost::asio::any_io_executor deliver_on_;
  charts::ChartOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace teleglas
