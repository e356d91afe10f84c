// Text forms of the status snapshot: Prometheus metrics, the HTML status
// page and JSON.
#pragma once

#include <string>
#include <string_view>

#include "http/provider.h"

namespace signet::http {

// Prometheus text exposition format 0.0.4. Every zone series has "tenant"
// and "zone" labels; secondary series add "secondary".
std::string render_metrics(const StatusSnapshot& status);

// A self-contained HTML page with every tenant and zone. All values are
// HTML-escaped; the snapshot carries no secrets.
std::string render_status_html(const StatusSnapshot& status);

std::string render_status_json(const StatusSnapshot& status);

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

// Escapes a Prometheus label value: backslash, double quote and newline.
std::string label_escape(std::string_view text);

}  // namespace signet::http
