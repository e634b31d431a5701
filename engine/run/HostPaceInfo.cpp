#include "HostPaceInfo.h"

namespace Brigade {

const char *hostStateName(HostPaceInfo::State state)
{
    switch (state) {
    case HostPaceInfo::State::Open:
        return "open";
    case HostPaceInfo::State::Paused:
        return "paused";
    case HostPaceInfo::State::Broken:
        return "broken";
    }
    return "?";
}

} // namespace Brigade
