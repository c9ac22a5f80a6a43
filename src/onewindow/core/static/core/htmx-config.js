// htmx settings that keep the Content-Security-Policy (style-src 'self', no eval): no
// <style> element of its own for request indicators (the platform uses none), no hx-on/js:
// evaluation. Loaded deferred right after htmx, so it runs before htmx reads its config.
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
