"""Project-wide middleware."""


class ChineseFirstMiddleware:
    """Serve Simplified Chinese unless the user picked another language with the language switch.

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language header, and a
    finance office's English-language browser would get English pages it never asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
