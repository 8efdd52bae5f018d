"""Value pools for the generated task suites (invented names, places, words; no real people)."""

FIRST = ["Marta", "Jonah", "Bo", "Ximena", "Søren", "Aiko", "Tomasz", "Priya", "Kwame", "Elise", "Farid", "Ingrid",
         "Mateo", "Yara", "Chidi", "Hanne", "Ravi", "Lucía", "Oskar", "Mei", "Dmitri", "Amara", "Kenji", "Noor",
         "Teodor", "Zoë", "Ibrahim", "Greta", "Luis", "Anaïs"]
LAST = ["Quillfeather", "Wexley", "Ng", "Poe", "Łukasik", "Tanaka", "Okafor", "Van Dijk", "Haverford", "Eskildsen",
        "Marsh", "Castellano", "Oyelaran", "Achterberg", "Ostrander", "Kim", "Silva", "Nakamura", "O'Brien",
        "Fitzgerald", "Moreau", "Lindqvist", "Abara", "Petrov", "Delacroix", "Ruiz", "Kowalczyk", "Bianchi", "Sato",
        "Holloway"]
MIDDLE = ["P.", "A.", "J.", "Maria", "Lee", "K.", "Rose"]
CITIES = ["Marlow Springs", "Fenwick", "Cinder Bay", "Oakhollow", "Dunmoor", "Lake Tessaly", "Bramblecourt",
          "Port Alder", "Riverton", "Ashby", "New Calden", "Silverfield", "Harrowgate", "Elm Grove"]
STATES = ["OR", "WA", "TX", "CO", "MN", "MA", "CA", "NY", "IL", "GA", "AZ", "VT"]
STREETS = ["Birchwood Ln", "Quarry Rd", "Elm Ct", "Oak St", "Juniper Way", "Harrow Ave", "Main St", "Cedar Blvd",
           "Willow Dr", "Maple Terrace", "Lakeview Pkwy"]
DOMAINS = ["lumenfield.example", "kestrel.example", "brightmail.example", "helixbio.example", "tidewater.example",
           "corp.example.org", "mail.northwind.example", "intranet.acme.example"]
WORDS = ["alpha", "orders", "report", "summary", "budget", "invoice", "config", "backup", "deploy", "notes",
         "metrics", "archive", "customer", "payload", "session", "widget", "gadget", "sprocket"]
COLORS = ["Red", "Blue", "Green", "Black", "White", "Navy", "Olive", "Teal", "Grey"]
SIZES = ["S", "M", "L", "XL", "XXL"]
PROCS = ["sshd", "cron", "nginx", "postgres", "kubelet", "dockerd", "systemd", "rsyslogd", "haproxy"]
HOSTS = ["web-01", "db-2", "cache03", "edge-fra-7", "build.ci", "node17"]
LEVELS = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
IDENTS = ["parse_line", "loadConfig", "run", "to_json", "computeTotal", "fetch_all_rows", "x", "handle_request",
          "_private_helper", "main", "Validate2"]
CLASSES = ["Parser", "HttpClient", "OrderService", "Node", "CacheEntry", "ReportBuilder", "Vec3"]
CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF", "SEK"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
