//! Words grouped into concepts. Rules are written over concepts ("a body part near a pain
//! word", "a first-person subject before an inability to breathe"), never over whole test
//! sentences, so new phrasings, typos and synonyms are caught the same way.
//!
//! A term ending in `*` matches any word starting with it ("suicid*" → "suicidal"). Terms
//! of six or more letters also match words one typo away ("breath" ~ "breth").

/// Concept → terms. English and Spanish share concepts.
pub const CONCEPTS: &[(&str, &[&str])] = &[
    // --- people and framing -------------------------------------------------------
    ("self", &["i", "im", "ive", "id", "ill", "me", "my", "myself", "mine", "yo", "mi", "me", "estoy", "tengo"]),
    ("other_person", &["dog", "cat", "pet", "puppy", "kitten", "perro", "gato", "he", "she", "hes", "shes", "him", "her", "they", "theyre", "dad", "mom", "mum", "father", "mother", "husband", "wife", "son", "daughter", "kid", "kids", "child", "baby", "babys", "toddler", "brother", "sister", "friend", "boyfriend", "girlfriend", "grandma", "grandpa", "grandmother", "grandfather", "partner", "roommate", "coworker", "someone", "somebody", "person", "guy", "papa", "mama", "hijo", "hija", "esposo", "esposa", "bebe", "abuela", "abuelo", "nino", "nina", "padre", "madre"]),
    ("now", &["now", "rn", "currently", "right", "tonight", "today", "ahora", "ya"]),
    ("neg", &["cant", "cannot", "not", "no", "unable", "wont", "dont", "doesnt", "isnt", "aint", "couldnt", "hardly", "barely", "puedo", "nada"]),
    ("help", &["help", "helpp", "hlp", "ayuda", "ayudame", "sos", "emergency", "emergencia", "urgent", "urgente", "911", "ambulance", "ambulancia"]),
    // --- emergencies ----------------------------------------------------------------
    ("chest", &["chest", "chset", "chets", "cheast", "heart", "pecho", "corazon"]),
    ("pain", &["pain", "pian", "pains", "painful", "hurt*", "ache*", "aching", "tight*", "pressure", "crushing", "squeez*", "elephant", "heavy", "heaviness", "stabbing", "burning", "dolor", "duele", "opresion", "killing"]),
    ("heart_attack", &["infarto"]),
    ("attack", &["attack", "attacked", "attacking", "ataque"]),
    ("breathe", &["breath*", "breat*", "respir*", "air", "aire", "inhale"]),
    ("choke", &["chok*", "ahog*", "asphyx*"]),
    ("throat", &["throat", "tongue", "lips", "airway", "garganta", "lengua"]),
    ("swell", &["swell*", "swollen", "swolen", "closing", "closed", "inflam*", "hinch*", "tight", "tightening", "puffing", "puffy", "puffed", "cerrando", "cerrandose"]),
    ("stroke", &["stroke", "strok", "derrame", "ictus"]),
    ("stroke_sign", &["droop*", "drooping", "slur*", "numb*", "paraly*", "lopsided", "uneven", "entumec*", "adormec*", "caida", "caido", "dormido", "dormida", "weak", "weakness", "dropped", "drooped"]),
    ("face_arm", &["face", "arm", "leg", "side", "speech", "talking", "speak*", "words", "mouth", "half", "cara", "brazo", "hablar", "lado"]),
    ("overdose", &["overdos*", "od", "ods", "oded", "sobredosis"]),
    ("pills", &["pill*", "pastill*", "tablet*", "meds", "medication*", "bottle", "whole", "oxy*", "fentanyl", "xanax", "tylenol", "opioid*", "heroin", "bleach", "pastillas"]),
    ("too_many", &["too", "many", "much", "all", "entire", "whole", "bunch", "handful", "demasiad*", "muchas", "muchos", "double", "extra", "twice", "triple"]),
    ("swallow", &["swallow*", "ate", "drank", "drink", "took", "taken", "take", "taking", "ingest*", "tome", "tomo", "trague", "mixed", "inhaled", "breathed"]),
    ("poison", &["poison*", "toxic", "envenen*", "intoxic*"]),
    ("toxic_substance", &["bleach", "ammonia", "cloro", "lejia", "detergent", "antifreeze", "windshield", "washer", "battery", "batteries", "gasoline", "kerosene", "pesticide*", "insecticide", "lye", "drain", "cleaner", "chemicals", "chemical", "carbon", "monoxide", "mushrooms", "rat", "pod", "pods", "solvent", "paint", "thinner"]),
    ("suicide", &["suicid*", "suicidarme", "kms", "unaliv*", "selfharm"]),
    ("kill", &["kill", "killing", "end", "ending", "hang", "hanging", "shoot", "jump", "matar", "matarme", "acabar"]),
    ("myself", &["myself", "it", "all", "life", "my", "things", "everything"]),
    ("die", &["die", "dying", "dead", "death", "morir", "muerto", "muerta", "morirme"]),
    ("live", &["live", "living", "alive", "exist", "here", "anymore", "vivir", "wake"]),
    ("self_harm", &["cut", "cutting", "cuts", "hurt", "hurting", "harm", "harming", "burn", "burning", "cortarme", "lastimarme"]),
    ("bleed", &["bleed*", "blood", "bloody", "hemorrh*", "sangr*"]),
    ("stop", &["stop", "stopping", "stops", "stopped", "everywhere", "lot", "heavily", "heavy", "gushing", "spurting", "pouring", "soaking", "parar", "para", "mucho", "much"]),
    ("unconscious", &["unconscious", "unresponsive", "passed", "fainted", "collapsed", "collapse", "inconsciente", "desmay*", "waking", "woke", "breathing"]),
    ("seizure", &["seizure*", "seizing", "convuls*", "epileptic", "convulsion*", "foaming"]),
    ("violence", &["attacked", "assault*", "beating", "beat", "hitting", "hit", "punch*", "stabbed", "stab", "shot", "shooting", "gun", "knife", "weapon", "broke", "breaking", "intruder", "threaten*", "kidnap*", "rape*", "raped", "abus*", "golpe*", "pistola", "cuchillo", "atacaron", "atacando"]),
    ("blue", &["blue", "purple", "gray", "grey", "limp", "azul"]),
    ("severe", &["severe", "severely", "bad", "badly", "really", "very", "extreme", "worst", "terrible", "unbearable", "grave", "fuerte", "mucho"]),
    ("burn", &["burn", "burned", "burnt", "burns", "burning", "scald*", "quemadura*", "queme", "quemo", "blistering", "blistered"]),
    ("burn_severe", &["peeling", "peel", "blister*", "oozing", "charred", "boiling", "grease", "fire", "flames", "electric*", "electrocut*", "shocked", "outlet", "hirviendo", "cayendo", "ampolla*", "chemical", "acid", "off"]),
    ("head", &["head", "skull", "cabeza"]),
    ("confused", &["confused", "confusion", "dizzy", "disoriented", "vomit*", "throwing", "slurring", "unconscious", "confundid*", "remember", "memory", "double", "repeating", "same", "blacked", "sleepy", "drowsy"]),
    ("fever", &["fever", "feverish", "temperature", "fiebre", "chills", "escalofrios"]),
    ("allergic", &["allergic", "anaphyla*", "epipen", "hives", "alergic*", "alergia", "stung", "sting", "bee", "wasp", "hornet", "latex", "peanut", "peanuts", "shellfish", "ronchas"]),
    ("bleed_intense", &["gushing", "spurting", "squirting", "pouring", "soaking", "soaked", "everywhere", "heavily", "profusely", "deep", "nonstop", "pool", "puddle", "mucha", "mucho"]),
    ("weapon", &["knife", "gun", "pistol", "firearm", "machete", "cuchillo", "pistola", "arma", "bat"]),
    // --- health details ---------------------------------------------------------------
    ("symptom", &[
        "pain", "painful", "hurts", "hurting", "ache", "aches", "aching", "toothache", "headache*", "migraine*", "sore", "swollen", "swelling", "bleeding", "bleeds", "bled",
        "fever", "nausea", "nauseous", "vomit*", "dizzy", "dizziness", "rash", "itch*", "infect*", "abscess", "cavity", "cavities", "sensitiv*", "numbness",
        "cough*", "sneez*", "congest*", "cramp*", "spasm*", "lump", "sprain*", "fractur*", "inflam*", "pus", "throbbing", "discomfort", "insomnia", "fatigue",
        "anxious", "anxiety", "depress*", "panic", "tmj", "grind*", "clench*", "bruise*", "injur*", "sinus*", "flaky", "dandruff", "psoriasis", "eczema",
        "acne", "hives", "flu", "sick", "hurt", "burn", "nosebleed*", "stitches", "bitten", "burns", "burned", "blister*", "peeling", "socket", "shaky", "torn", "sprained", "overbite", "underbite", "crossbite", "injury", "breath",
        "thinning", "hairloss", "balding", "shifted", "clicks", "clicking", "pops", "popping", "stiff", "tingling", "weakness", "seizure*", "faint*",
        "dolor", "duele", "duelen", "fiebre", "infeccion", "hinchad*", "sangrado", "sangran", "sensibilidad", "vomito", "vomitar", "gripe", "tos",
    ]),
    ("damage", &[
        "cracked", "chipped", "broken", "broke", "loose", "fell", "fallen", "falling", "black", "grey", "gray", "dead", "numb", "fix", "heal", "torn", "tear", "pulled", "loss", "flaky",
        "droopy", "drooping", "killing", "bump", "spot", "spots", "patch", "smells", "smell", "horrible", "weird", "wrong", "off", "tender", "hurt", "bad",
        "worse", "bleed", "bleeds", "rotten", "rotting", "hole", "missing", "out", "lost", "crooked", "shifting", "moving", "wiggly", "wobbly",
    ]),
    ("condition", &[
        "diabet*", "asthma*", "cancer", "chemo*", "hiv", "aids", "hepatitis", "pregnan*", "embarazad*", "epilep*", "adhd", "autis*", "dementia", "alzheimer*",
        "arthritis", "hypertension", "hypertensive", "bipolar", "schizo*", "ptsd", "ocd", "copd", "lupus", "crohn*", "celiac", "allerg*", "thyroid", "kidney", "liver",
        "cardiac", "pacemaker", "transplant", "disease", "disorder", "syndrome", "diagnos*", "osteoporosis", "anemi*", "gingivitis", "periodont*",
        "migraines", "concussion", "surgery", "surgeries", "stent", "bypass", "apnea", "a1c", "prediabet*", "ivf", "fibromyalgia", "immunocompromised", "sores",
        "miscarriage", "hypothyroid*", "hyperthyroid*", "spectrum", "nonverbal", "uti", "colorblind", "breastfeeding", "nursing", "insulin",
        "deaf", "blind", "bloodwork", "labs", "iron", "cholesterol", "cancer", "tumor", "chemo", "radiation", "dialysis",
        "stroke", "sclerosis", "parkinson*", "menopause", "endometriosis", "pcos", "gerd", "reflux", "ibs", "adhd", "dyslexi*", "stutter*", "anxiety",
        "asma", "presion", "diabetico", "diabetica", "alergia", "embarazo", "sickness", "claustrophob*", "phobia", "vertigo", "cholesterol", "covid", "flu", "std", "sti", "herpes",
        "addict*", "alcoholic", "sober", "recovery", "rehab", "therapy", "therapist", "psychiatrist", "eating", "anorexi*", "bulimi*", "obes*", "overweight",
        "diabetes", "embarazo", "embarazada", "alergico", "alergica",
    ]),
    ("medication", &[
        "medication*", "meds", "medicine*", "prescri*", "pill*", "insulin", "xanax", "adderall", "ibuprofen", "advil", "tylenol", "acetaminophen", "aspirin",
        "antibiotic*", "painkiller*", "amoxicillin", "penicillin", "warfarin", "eliquis", "blood", "thinner*", "metformin", "ozempic", "wegovy", "lisinopril", "statin*",
        "antidepress*", "zoloft", "prozac", "lexapro", "sertraline", "opioid*", "oxycodone", "vicodin", "hydrocodone", "steroid*", "prednisone", "inhaler",
        "accutane", "isotretinoin", "ritalin", "concerta", "vyvanse", "synthroid", "levothyroxine", "humira", "retinol", "tretinoin", "pump",
        "birth", "contracept*", "chemotherapy", "methadone", "suboxone", "gabapentin", "benadryl", "antihistamine*", "epipen", "medicamento*", "pastilla*",
    ]),
    ("procedure", &[
        "pulled", "extraction", "extracted", "surgery", "surgeries", "root", "canal", "graft*", "stitches", "botox", "filler", "fillers", "injection*", "injected",
        "implants", "ivf", "chemo", "biopsy", "braces", "invisalign", "retainer", "prp", "lasik", "operation", "operated", "transplant", "removed", "replaced", "replacement", "valve", "rehab", "physio", "therapy", "cast", "dentures", "aligners", "pacemaker", "crutches", "wheelchair", "brackets",
        "transfusion", "colonoscopy", "mammogram", "xray", "xrays", "scan", "mri", "extraccion", "cirugia", "operacion",
    ]),
    ("health_verb", &["have", "has", "had", "got", "gotten", "been", "diagnosed", "suffer*", "dealing", "struggling", "taking", "take", "takes", "on", "using", "feel", "feeling", "feels", "started", "keeps", "keep", "experiencing", "experienced", "noticed", "tengo", "tiene", "tomo", "padezco", "sufro"]),
    ("body", &[
        "tooth", "teeth", "gum", "gums", "jaw", "mouth", "tongue", "lip", "lips", "molar", "wisdom", "filling", "crown", "head", "back", "neck", "shoulder", "knee",
        "hip", "ankle", "wrist", "foot", "feet", "leg", "arm", "hand", "stomach", "belly", "chest", "throat", "ear", "ears", "eye", "eyes", "nose", "skin", "scalp",
        "hair", "nail", "nails", "face", "eyelid", "eyelids", "breath", "bone", "bones", "cuff", "rotator", "wrist", "muela", "muelas", "diente", "dientes", "encia", "encias", "cabeza", "espalda", "rodilla", "estomago",
    ]),
    // --- advice -----------------------------------------------------------------------
    ("advice_ask", &[
        "should", "shud", "shld", "advice", "advise", "recommend*", "suggest*", "tips", "best", "normal", "serious", "worried", "worry", "bad", "safe", "okay", "ok",
        "fine", "dangerous", "mean", "means", "cause*", "why", "treat", "cure", "fix", "heal", "relieve", "help", "remedy", "remedies", "dose", "dosage", "mg",
        "debo", "deberia", "recomiendas", "recomienda", "consejo", "normal", "grave", "que", "tomar",
    ]),
    ("medical_topic", &[
        "medication*", "medicine*", "pill*", "ibuprofen", "advil", "tylenol", "aspirin", "antibiotic*", "painkiller*", "dose", "dosage", "prescription*", "mg",
        "infection", "infected", "diagnos*", "symptom*", "rinse", "ice", "heat", "remedy", "remedies", "healing", "heal", "recovery", "stitches", "botox", "filler", "numbing", "anesthetic", "anaesthetic", "xray", "xrays",
        "aftercare", "swelling", "bleeding", "pain", "toothache", "cavity", "abscess", "gum", "gums", "disease", "cancer", "tumor", "xray", "results", "blood",
        "pressure", "sugar", "cholesterol", "medicamento", "pastilla", "dolor", "infeccion", "sintoma*", "caries", "empaste", "hinchazon", "hielo", "paracetamol",
    ]),
    ("legal_topic", &[
        "sue", "suing", "lawsuit", "legal", "legally", "illegal", "law", "laws", "rights", "custody", "divorce", "alimony", "child", "support", "contract", "lease",
        "landlord", "evict*", "eviction", "will", "estate", "inherit*", "probate", "immigration", "visa", "deport*", "green", "citizenship", "arrest*", "charged",
        "court", "judge", "settlement", "settle", "liable", "liability", "negligen*", "malpractice", "dui", "dwi", "ticket", "fired", "wrongful", "discriminat*",
        "harass*", "copyright", "trademark", "patent", "nda", "sign", "prenup", "restraining", "order", "bail", "plea", "testify", "subpoena", "claim",
        "demanda", "demandar", "abogado", "ley", "derechos", "custodia", "divorcio",
    ]),
    // --- billing -------------------------------------------------------------------------
    ("billing", &["bill", "billed", "billing", "charge", "charged", "charges", "invoice*", "statement", "payment", "paid", "refund*", "overcharg*", "double", "collections", "collection", "claim", "claims", "copay", "deductible", "eob", "balance", "fee", "fees", "cobro", "cobraron", "factura", "reembolso"]),
    ("dispute", &["wrong", "incorrect", "mistake", "error", "unfair", "dispute*", "disput*", "scam", "ripoff", "rip", "overcharg*", "double", "twice", "never", "didnt", "shouldnt", "shouldve", "refuse*", "refund*", "money", "back", "fair", "legit", "illegal", "contest*", "challenge", "denied", "rejected", "injust*", "error", "equivocad*", "mal", "devuelvan"]),
    // --- comparisons --------------------------------------------------------------------
    ("compare", &["better", "worse", "best", "cheaper", "cheapest", "compare*", "comparison", "vs", "versus", "than", "rather", "instead", "prefer", "competitor*", "competition", "other", "mejor", "peor", "barato", "comparado"]),
    ("rival", &["other", "another", "competitor*", "place", "places", "clinic", "clinics", "office", "offices", "salon", "salons", "shop", "shops", "dentist", "dentists", "doctor", "doctors", "firm", "firms", "lawyer", "lawyers", "street", "road", "town", "chain", "co", "inc", "llc", "group", "down", "across", "nearby", "near"]),
    // --- guarantees ------------------------------------------------------------------------
    ("guarantee", &["guarantee*", "guarant*", "promise*", "promis*", "100", "percent", "definitely", "certainly", "surely", "sure", "assure*", "ensure", "warranty", "guaranteed", "garantiza*", "garantia", "prometen", "seguro", "always", "never", "forever", "permanent*", "painless", "risk", "riskfree"]),
    ("outcome", &["work", "works", "result*", "fix", "fixed", "cure", "cured", "success*", "painless", "hurt", "pain", "permanent*", "last", "forever", "win", "won", "outcome", "happy", "satisf*", "white", "whiter", "straight", "perfect", "better", "look", "improve*", "gone", "funcion*", "resultado*", "duele"]),
    // --- pricing -------------------------------------------------------------------------------
    ("exact", &["exact", "exactly", "precise", "precisely", "final", "firm", "fixed", "total", "guarantee*", "lock", "locked", "binding", "commit*", "promise*", "specific", "penny", "cent", "cents", "dollar", "quote", "set", "flat", "exacto", "exactamente", "precio"]),
    ("price", &["price", "prices", "pricing", "cost", "costs", "charge", "pay", "paying", "total", "quote", "bill", "fee", "amount", "much", "dollars", "$", "cuesta", "precio", "cuanto", "costo"]),
    // --- staff ----------------------------------------------------------------------------------
    ("staff", &["dr", "doctor", "doc", "dentist", "hygienist", "nurse", "stylist", "barber", "lawyer", "attorney", "mechanic", "therapist", "receptionist", "staff", "team", "employee*", "assistant", "technician", "tech", "provider", "surgeon", "vet", "trainer", "colorist", "paralegal", "accountant", "manager", "owner", "people", "workers", "worker", "doctora", "dentista", "estilista", "abogado", "personal"]),
    ("judgement", &["good", "bad", "best", "worst", "better", "worse", "rude", "nice", "mean", "skilled", "skill", "competent", "incompetent", "experienced", "inexperienced", "qualified", "trust", "trustworthy", "reliable", "gentle", "rough", "careful", "careless", "friendly", "professional", "unprofessional", "lazy", "drunk", "creepy", "weird", "any", "pick", "choose", "recommend*", "bueno", "buena", "malo", "mala", "mejor", "grosero", "grosera"]),
    // --- opinions ---------------------------------------------------------------------------------
    ("opinion_ask", &["think", "opinion", "opinions", "recommend*", "suggest*", "pick", "choose", "prefer", "favorite", "favourite", "like", "love", "hate", "would", "feel", "view", "honest", "honestly", "personally", "opinas", "piensas", "recomiendas", "prefieres"]),
    // --- other visitors -----------------------------------------------------------------------------
    ("others", &["other", "others", "another", "last", "previous", "earlier", "before", "anyone", "someone", "somebody", "everyone", "people", "person", "patients", "customers", "clients", "visitors", "leads", "guy", "lady", "woman", "man", "neighbor", "neighbour", "ex", "wife", "husband", "boyfriend", "girlfriend", "coworker", "boss", "son", "daughter", "mom", "dad", "friend", "celebrity", "otros", "otra", "otro", "pacientes", "clientes"]),
    ("their_data", &["name", "names", "number", "numbers", "phone", "email", "emails", "address", "addresses", "info", "information", "details", "data", "records", "record", "file", "list", "appointment", "appointments", "booked", "booking", "schedule", "asked", "ask", "say", "said", "want", "wanted", "order", "ordered", "buy", "bought", "wrote", "visited", "visit", "came", "patient", "client", "customer", "contact", "contacts", "history", "conversation", "conversations", "chats", "chat", "messages", "transcript", "leads", "nombre", "telefono", "correo", "cita"]),
    // --- discrimination -------------------------------------------------------------------------------
    ("protected", &[
        "black", "white", "asian", "hispanic", "latino", "latina", "mexican", "mexicans", "indian", "indians", "arab", "arabs", "african", "chinese", "jewish", "jew", "jews",
        "muslim", "muslims", "christian", "christians", "hindu", "sikh", "catholic", "atheist", "gay", "gays", "lesbian", "lesbians", "trans", "transgender", "queer", "homosexual",
        "foreign", "foreigner", "foreigners", "immigrant", "immigrants", "illegals", "accent", "accents", "race", "racial", "ethnic", "ethnicity", "religion", "religious",
        "old", "older", "elderly", "young", "age", "disabled", "disability", "wheelchair", "deaf", "blind", "fat", "woman", "women", "man", "men", "female", "male",
        "girl", "boy", "pregnant", "skin", "color", "colour", "colored", "brown", "religion", "nationality", "country", "hijab", "turban", "orientation",
        "negro", "negra", "extranjero", "extranjeros", "gringo", "viejo", "vieja", "gordo", "gorda",
    ]),
    ("exclude", &["dont", "not", "no", "never", "without", "only", "refuse", "wont", "avoid", "rather", "prefer", "instead", "except", "ban", "keep", "away", "out", "nobody", "none", "sin", "solo", "nada", "ningun", "ninguna", "want", "make"]),
    ("slur", &["nigger", "nigga", "chink", "spic", "wetback", "kike", "faggot", "fag", "tranny", "retard", "retarded", "raghead", "towelhead", "beaner", "gook", "dyke"]),
    // --- fabrication asks ----------------------------------------------------------------------------
    ("make_up", &["make", "makeup", "invent", "fake", "guess", "estimate", "pretend", "imagine", "fabricate", "lie", "fib", "roughly", "ballpark", "inventa", "inventar", "adivina"]),
    ("fabricated_thing", &["review", "reviews", "testimonial*", "rating", "ratings", "stars", "star", "code", "coupon", "discount", "promo", "credential*", "license", "licence", "certificate", "degree", "award*", "number", "price", "statistic*", "stats", "percent", "data", "fact", "facts", "reseña", "descuento"]),
];

/// Openings that turn a symptom into a question about the business's services
/// ("do you treat chest pain?"), which is not an emergency report.
pub const SERVICE_FRAMES: &[&[&str]] = &[
    &["do", "you", "treat"],
    &["do", "you", "handle"],
    &["do", "you", "see"],
    &["do", "you", "deal"],
    &["do", "you", "do"],
    &["do", "you", "offer"],
    &["do", "you", "take"],
    &["do", "you", "help"],
    &["do", "you", "work"],
    &["do", "you", "guys"],
    &["do", "yall"],
    &["can", "you", "treat"],
    &["can", "you", "help", "with"],
    &["can", "you", "handle"],
    &["is", "there", "a"],
    &["what", "do", "you", "do", "for"],
    &["how", "much"],
    &["do", "you", "have"],
    &["is", "it", "covered"],
    &["are", "you", "able"],
    &["does", "insurance"],
    &["tratan"],
    &["atienden"],
];
