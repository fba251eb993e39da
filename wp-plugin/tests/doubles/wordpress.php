<?php

/**
 * Small stand-ins for the WordPress functions and classes the plugin calls. Behaviour follows WordPress closely
 * where a test depends on it (escaping, option defaults, HTTP response shape); everything else only records.
 */

class WP_Error
{
    public function __construct(private string $code = '', private string $message = '')
    {
    }

    public function get_error_code(): string
    {
        return $this->code;
    }

    public function get_error_message(): string
    {
        return $this->message;
    }
}

class WP_Post
{
    public function __construct(public int $ID)
    {
    }
}

function __($text, $domain = 'default')
{
    return $text;
}

function _n($single, $plural, $number, $domain = 'default')
{
    return $number === 1 ? $single : $plural;
}

function esc_html($text)
{
    return htmlspecialchars((string) $text, ENT_QUOTES, 'UTF-8');
}

function esc_attr($text)
{
    return htmlspecialchars((string) $text, ENT_QUOTES, 'UTF-8');
}

function esc_html__($text, $domain = 'default')
{
    return esc_html($text);
}

function esc_html_e($text, $domain = 'default')
{
    echo esc_html($text);
}

function esc_attr__($text, $domain = 'default')
{
    return esc_attr($text);
}

function esc_url($url)
{
    $url = (string) $url;
    if ($url !== '' && !preg_match('#^(https?:)?//|^/#i', $url)) {
        return '';
    }
    return htmlspecialchars($url, ENT_QUOTES, 'UTF-8');
}

function esc_url_raw($url)
{
    $url = (string) $url;
    return ($url !== '' && !preg_match('#^(https?:)?//|^/#i', $url)) ? '' : $url;
}

function wp_kses_post($html)
{
    return (string) $html;
}

function wpautop($text)
{
    return '<p>' . $text . '</p>';
}

function wptexturize($text)
{
    return (string) $text;
}

function sanitize_key($key)
{
    return preg_replace('/[^a-z0-9_\-]/', '', strtolower((string) $key));
}

function sanitize_text_field($text)
{
    return trim(strip_tags((string) $text));
}

function wp_unslash($value)
{
    return is_string($value) ? stripslashes($value) : $value;
}

function absint($value)
{
    return abs((int) $value);
}

function wp_json_encode($data, $options = 0, $depth = 512)
{
    return json_encode($data, $options, $depth);
}

function add_action($hook, $callback, $priority = 10, $accepted_args = 1)
{
    PayrelayTestState::$hooks[] = ['hook' => $hook, 'callback' => $callback, 'priority' => $priority, 'args' => $accepted_args];
    return true;
}

function add_filter($hook, $callback, $priority = 10, $accepted_args = 1)
{
    return add_action($hook, $callback, $priority, $accepted_args);
}

function get_option($name, $default = false)
{
    return PayrelayTestState::$options[$name] ?? $default;
}

function update_option($name, $value)
{
    PayrelayTestState::$options[$name] = $value;
    return true;
}

function delete_option($name)
{
    unset(PayrelayTestState::$options[$name]);
    return true;
}

function home_url($path = '')
{
    return rtrim((string) (PayrelayTestState::$options['home'] ?? 'https://shop.test'), '/') . $path;
}

function get_locale()
{
    return 'de_DE';
}

function wp_timezone()
{
    return new DateTimeZone('UTC');
}

function is_wp_error($thing)
{
    return $thing instanceof WP_Error;
}

function payrelay_test_http(string $method, $url, $args)
{
    PayrelayTestState::$http_requests[] = ['method' => $method, 'url' => $url, 'args' => $args];
    if (PayrelayTestState::$real_http) {
        return payrelay_real_http($method, (string) $url, $args);
    }
    if (PayrelayTestState::$http_responses === []) {
        throw new LogicException('unexpected HTTP request: ' . $method . ' ' . $url);
    }
    return array_shift(PayrelayTestState::$http_responses);
}

/**
 * A real request, answered like WordPress's HTTP API (a WP_Error when nothing answered), for the renderers that talk
 * to a relay the browser tests start (tests/render-checkout.php).
 */
function payrelay_real_http(string $method, string $url, $args)
{
    $headers = [];
    foreach ((array) ($args['headers'] ?? []) as $name => $value) {
        $headers[] = $name . ': ' . $value;
    }
    $context = stream_context_create(['http' => [
        'method' => $method,
        'header' => implode("\r\n", $headers),
        'content' => (string) ($args['body'] ?? ''),
        'timeout' => (float) ($args['timeout'] ?? 5),
        'ignore_errors' => true,
        'follow_location' => 0,
    ]]);
    $body = @file_get_contents($url, false, $context);
    if ($body === false) {
        return new WP_Error('http_request_failed', (string) (error_get_last()['message'] ?? 'request failed'));
    }
    $status = preg_match('#^HTTP/\S+ (\d{3})#', (string) ($http_response_header[0] ?? ''), $m) === 1 ? (int) $m[1] : 0;
    return ['response' => ['code' => $status, 'message' => ''], 'body' => $body];
}

function wp_remote_post($url, $args = [])
{
    return payrelay_test_http('POST', $url, $args);
}

function wp_remote_get($url, $args = [])
{
    return payrelay_test_http('GET', $url, $args);
}

function wp_remote_retrieve_response_code($response)
{
    return is_array($response) ? $response['response']['code'] : '';
}

function wp_remote_retrieve_body($response)
{
    return is_array($response) ? $response['body'] : '';
}

/** Like WordPress's: '' when absent, names matched without regard to case. */
function wp_remote_retrieve_header($response, $header)
{
    if (!is_array($response)) {
        return '';
    }
    foreach ((array) ($response['headers'] ?? []) as $name => $value) {
        if (strtolower((string) $name) === strtolower($header)) {
            return $value;
        }
    }
    return '';
}

function current_user_can($capability)
{
    return in_array($capability, PayrelayTestState::$capabilities, true);
}

function wp_create_nonce($action = -1)
{
    return 'nonce-' . $action;
}

function wp_verify_nonce($nonce, $action = -1)
{
    return PayrelayTestState::$nonce_valid && $nonce === 'nonce-' . $action ? 1 : false;
}

function check_ajax_referer($action = -1, $query_arg = false, $stop = true)
{
    $nonce = $_REQUEST[$query_arg] ?? ($_POST[$query_arg] ?? '');
    if (!wp_verify_nonce($nonce, $action)) {
        throw new PayrelayJsonResponse(false, -1, 403);
    }
    return 1;
}

function wp_send_json_success($data = null, $status = null)
{
    throw new PayrelayJsonResponse(true, $data, $status);
}

function wp_send_json_error($data = null, $status = null)
{
    throw new PayrelayJsonResponse(false, $data, $status);
}

function admin_url($path = '')
{
    return 'https://shop.test/wp-admin/' . $path;
}

function plugins_url($path = '', $plugin = '')
{
    return 'https://shop.test/wp-content/plugins/payrelay/' . $path;
}

function plugin_basename($file)
{
    return 'payrelay/' . basename($file);
}

function load_plugin_textdomain($domain, $deprecated = false, $path = false)
{
    return true;
}

function wp_enqueue_script($handle, $src = '', $deps = [], $ver = false, $in_footer = false)
{
    PayrelayTestState::$scripts[$handle] = ['src' => $src, 'deps' => $deps, 'enqueued' => true];
}

function wp_register_script($handle, $src, $deps = [], $ver = false, $in_footer = false)
{
    PayrelayTestState::$scripts[$handle] = ['src' => $src, 'deps' => $deps, 'enqueued' => false];
    return true;
}

function wp_localize_script($handle, $name, $data)
{
    PayrelayTestState::$localized[$handle] = ['name' => $name, 'data' => $data];
    return true;
}

function add_query_arg($key, $value, $url)
{
    return $url . (str_contains($url, '?') ? '&' : '?') . rawurlencode($key) . '=' . rawurlencode((string) $value);
}

function add_meta_box($id, $title, $callback, $screen = null, $context = 'advanced', $priority = 'default')
{
    PayrelayTestState::$meta_boxes[] = compact('id', 'title', 'callback', 'screen', 'context', 'priority');
}

function get_current_user_id()
{
    return 7;
}

function set_transient($name, $value, $expiration = 0)
{
    PayrelayTestState::$transients[$name] = $value;
    return true;
}

function get_transient($name)
{
    return PayrelayTestState::$transients[$name] ?? false;
}

function delete_transient($name)
{
    unset(PayrelayTestState::$transients[$name]);
    return true;
}

function wp_next_scheduled($hook, $args = [])
{
    return PayrelayTestState::$scheduled[$hook] ?? false;
}

function wp_schedule_event($timestamp, $recurrence, $hook, $args = [])
{
    PayrelayTestState::$scheduled[$hook] = $timestamp;
    return true;
}

function wp_clear_scheduled_hook($hook, $args = [])
{
    unset(PayrelayTestState::$scheduled[$hook]);
    return 0;
}

function wp_kses($html, $allowed)
{
    return (string) $html;
}

function wp_strip_all_tags($text, $remove_breaks = false)
{
    return trim(strip_tags((string) $text));
}

function register_deactivation_hook($file, $callback)
{
    PayrelayTestState::$hooks[] = ['hook' => 'deactivate_' . $file, 'callback' => $callback, 'priority' => 10, 'args' => 1];
}

function is_admin()
{
    return PayrelayTestState::$is_admin;
}

function wp_doing_ajax()
{
    return PayrelayTestState::$doing_ajax;
}

function get_query_var($name, $default = '')
{
    return PayrelayTestState::$query_vars[$name] ?? $default;
}
