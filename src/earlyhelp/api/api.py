from ninja import NinjaAPI

api = NinjaAPI(title="earlyhelp API", version="1", urls_namespace="api")
