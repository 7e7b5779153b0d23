#include "bench/report/heap_address_map.h"

#include <utility>

#include "bench/report/address_map_go121.h"
#include "mheap/heap_runtime/go121_heap_runtime.h"
#include "mheap/heap_runtime/go15_heap_runtime.h"

namespace thp {

AddressMap CaptureHeapAddressMap(Kernel& kernel, HeapRuntime& rt, std::string title,
                                 std::string caption) {
  if (rt.kind() == HeapKind::kGo121) {
    return CaptureAddressMap(kernel, static_cast<Go121HeapRuntime&>(rt).runtime().heap(),
                             std::move(title), std::move(caption));
  }
  return CaptureAddressMap(kernel, static_cast<Go15HeapRuntime&>(rt).runtime().heap(),
                           std::move(title), std::move(caption));
}

}  // namespace thp
