"""Word lists and text tables for the demo council: names, places and the words of casework records.

Everything is invented. Names the Faker locales do not cover well are listed here by hand; the
postcode area "DB" does not exist, nor do the towns. Tables of choices have their weights beside them.
"""

from earlyhelp.casework.models import Channel, ClosureReason, ContactSource, ContactStatus
from earlyhelp.organisations.models import OrganisationType

LANGUAGES = [
    # (first language, name source, weight, ethnicities with weights)
    ("English", "en_GB", 86.0, {
        "WBRI": 78, "WIRI": 1, "WOTH": 3, "MWBC": 3, "MWBA": 1, "MWAS": 1.5, "MOTH": 1.5, "AIND": 2, "BCRB": 2,
        "BAFR": 2, "CHNE": 0.7, "OOTH": 0.5, "WIRT": 0.3, "WROM": 0.3, "BOTH": 0.5, "AOTH": 0.7, "REFU": 1,
        "NOBT": 1.5}),
    ("Polish", "pl_PL", 3.0, {"WOTH": 1}),
    ("Romanian", "ro_RO", 2.0, {"WOTH": 4, "WROM": 1}),
    ("Urdu", "south_asian", 2.0, {"APKN": 4, "AIND": 1}),
    ("Punjabi", "south_asian", 1.5, {"APKN": 1, "AIND": 1}),
    ("Bengali", "bengali", 1.0, {"ABAN": 1}),
    ("Somali", "somali", 1.0, {"BAFR": 1}),
    ("Arabic", "arabic", 1.0, {"OOTH": 2, "AOTH": 1}),
    ("Portuguese", "pt_PT", 1.0, {"WOTH": 1}),
    ("Lithuanian", "lt_LT", 0.8, {"WOTH": 1}),
    ("Turkish", "tr_TR", 0.7, {"OOTH": 1, "WOTH": 1}),
]
HAND_NAMES = {
    "south_asian": (["Mohammed", "Ali", "Hassan", "Imran", "Bilal", "Zain", "Adam", "Ibrahim", "Yusuf", "Omar",
                     "Arjun", "Harpreet", "Gurpreet", "Amir", "Usman", "Rizwan", "Tariq", "Zubair"],
                    ["Aisha", "Fatima", "Maryam", "Zara", "Hafsa", "Amina", "Sana", "Noor", "Khadija", "Iqra",
                     "Simran", "Jasleen", "Ayesha", "Mehwish", "Nadia", "Samina", "Rabia", "Hira"],
                    ["Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Iqbal", "Mahmood", "Shah", "Butt", "Malik",
                     "Riaz", "Aslam", "Singh", "Kaur", "Sandhu", "Gill", "Qureshi", "Raza"]),
    "bengali": (["Abdul", "Rahim", "Shahid", "Jamal", "Ayaan", "Rayhan", "Habib", "Sohel", "Faisal", "Tanvir"],
                ["Nasima", "Shirin", "Rokeya", "Sumaiya", "Tahmina", "Anika", "Ruksana", "Jannat", "Mim", "Ripa"],
                ["Rahman", "Uddin", "Miah", "Islam", "Begum", "Choudhury", "Hoque", "Ahmed", "Alam", "Khatun"]),
    "somali": (["Abdirahman", "Abdullahi", "Mahad", "Liban", "Said", "Hamza", "Abdi", "Mohamed", "Yasin", "Farhan"],
               ["Hodan", "Amina", "Fadumo", "Sahra", "Hibaaq", "Ayan", "Nasra", "Ifrah", "Sagal", "Ikran"],
               ["Mohamed", "Abdi", "Ahmed", "Hassan", "Farah", "Warsame", "Yusuf", "Omar", "Osman", "Jama"]),
    "arabic": (["Ahmad", "Khalid", "Yousef", "Hamza", "Kareem", "Tariq", "Sami", "Fadi", "Majid", "Nabil"],
               ["Layla", "Mariam", "Nour", "Huda", "Rania", "Salma", "Yasmin", "Dana", "Lina", "Hala"],
               ["Al-Sayed", "Haddad", "Nasser", "Saleh", "Mansour", "Hamdan", "Khalil", "Darwish", "Aziz",
                "Othman"]),
}
NICKNAMES = {"William": "Billy", "Elizabeth": "Beth", "Margaret": "Maggie", "Robert": "Rob", "Thomas": "Tom",
             "James": "Jim", "Katherine": "Kate", "Catherine": "Cathy", "Daniel": "Dan", "Samuel": "Sam",
             "Jessica": "Jess", "Alexander": "Alex", "Rebecca": "Becky", "Joseph": "Joe", "Michael": "Mike"}
TOWNS = ["Brackenbury", "Elmstead Vale", "Hollowbridge", "Kingsmere", "Marlow Green", "Ravensworth",
         "Southwick Cross", "Thornleigh"]
COUNCIL_POSTCODE_AREA = "DB"  # not a real postcode area
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
OUT_OF_AREA_TOWNS = [("Ashcombe", "DX"), ("Fernhill", "DZ")]  # also invented

CONTACT_REASONS = {
    ContactSource.SELF: ["Mum has asked for help with her son's behaviour at home and arguments between siblings.",
                         "Dad is struggling to manage since separating and asked for parenting support.",
                         "The family are in rent arrears and worried about being evicted."],
    ContactSource.MEMBER_OF_PUBLIC: ["A neighbour is worried the children are often out late without an adult.",
                                     "A relative is concerned about shouting and arguments at the address."],
    ContactSource.SCHOOL: ["Attendance has dropped to 82% this term and the child seems withdrawn in class.",
                           "Repeated lateness and the child has said there is not always food at home.",
                           "Behaviour has escalated: two fixed-term exclusions this year.",
                           "The child has disclosed worries about arguments between parents."],
    ContactSource.EARLY_YEARS: ["Speech and language delay; parent would welcome support with routines.",
                                "Child often collected late and parent appears low in mood."],
    ContactSource.HEALTH: ["Health visitor concerned about maternal low mood after the birth.",
                           "GP reports the parent is struggling with anxiety and the children's sleep.",
                           "Missed health appointments and concerns about the child's weight."],
    ContactSource.POLICE: ["Police attended a verbal domestic incident; children present, no offences.",
                           "Young person found with older peers late at night; concern about exploitation."],
    ContactSource.HOUSING: ["Family in temporary accommodation; overcrowding and damp affecting the children.",
                            "Notice seeking possession served for arrears; parent asking for budgeting help."],
    ContactSource.CSC: ["Step-down from children's social care: child in need plan ended, family agree to "
                        "early help to keep progress going.",
                        "Assessment by children's social care found no need for statutory services; "
                        "early help recommended."],
    ContactSource.OTHER_LA: ["Family moved into the area with an open early help plan from their previous council."],
    ContactSource.VOLUNTARY: ["Food bank volunteer concerned the family are regularly without gas and electricity.",
                              "Youth club worker worried about a young person's low mood and self-harm comments."],
    ContactSource.OTHER: ["Concern raised by the family's church leader about the parent's mental health."],
}
SOURCE_ORG_TYPE = {
    ContactSource.SCHOOL: OrganisationType.SCHOOL, ContactSource.EARLY_YEARS: OrganisationType.EARLY_YEARS,
    ContactSource.HEALTH: OrganisationType.HEALTH, ContactSource.POLICE: OrganisationType.POLICE,
    ContactSource.HOUSING: OrganisationType.HOUSING, ContactSource.CSC: OrganisationType.CHILDRENS_SOCIAL_CARE,
    ContactSource.OTHER_LA: OrganisationType.OTHER_LA, ContactSource.VOLUNTARY: OrganisationType.VOLUNTARY,
}
CONTACT_SOURCES = [ContactSource.SELF, ContactSource.MEMBER_OF_PUBLIC, ContactSource.SCHOOL,
                   ContactSource.EARLY_YEARS, ContactSource.HEALTH, ContactSource.POLICE, ContactSource.HOUSING,
                   ContactSource.OTHER_LA, ContactSource.VOLUNTARY, ContactSource.OTHER]
CONTACT_SOURCE_WEIGHTS = [10, 3, 30, 6, 20, 12, 7, 2, 6, 2]
CHANNELS = [Channel.PHONE, Channel.EMAIL, Channel.WEB, Channel.WRITING, Channel.FACE_TO_FACE]
CHANNEL_WEIGHTS = [40, 30, 18, 4, 8]
DECISION_REASONS = {
    ContactStatus.SIGNPOSTED: ["Signposted to the children's centre parenting course and the school nurse.",
                               "Family given details of the local food bank and debt advice service."],
    ContactStatus.NO_FURTHER_ACTION: ["Needs already met by the school's pastoral support; no further action.",
                                      "Family declined early help and there are no safeguarding concerns."],
}
AREA_TEXT = {
    "EDUCATION": ("Attends regularly when routines are in place; enjoys art and PE.",
                  "Attendance is below 90% and there have been two exclusions this year."),
    "EARLY_YEARS": ("Warm, responsive care; parent reads with the baby most days.",
                    "Speech is delayed for age; not yet taking up the funded nursery place."),
    "HEALTH": ("Registered with the GP and attending appointments.",
               "Parent reports low mood and anxiety; not currently receiving any treatment."),
    "SUBSTANCE": ("Parent has reduced drinking and is engaging with the recovery service.",
                  "Parent's cannabis use is affecting routines and money for food."),
    "FAMILY_REL": ("Children are close to their grandmother, who helps most weekends.",
                   "Frequent arguments between parents; the eldest child is hitting out at home."),
    "CHILD_SAFE": ("Parent understands online risks and has set up parental controls.",
                   "Young person has been missing from home overnight twice this month."),
    "CRIME": ("Young person has stayed out of trouble since joining the boxing club.",
              "Young person received a community resolution for shoplifting with older peers."),
    "DOM_ABUSE": ("Mum has a safety plan and is attending the Freedom Programme.",
                  "History of domestic abuse by a former partner who still contacts the family."),
    "HOUSING": ("The tenancy is secure and the home is warm and well kept.",
                "Family are in rent arrears and the flat has damp affecting the children's health."),
    "FINANCE": ("Parent manages a tight budget well and has applied for the benefits due.",
                "Debts of around £3,000; parent is out of work and has been sanctioned."),
}
ACTIONS = {
    "EDUCATION": ("Attendance support plan with weekly check-ins", "Attendance above 95% by the end of term"),
    "EARLY_YEARS": ("Refer to speech and language therapy and take up the nursery place",
                    "Child uses two-word phrases and attends nursery three sessions a week"),
    "HEALTH": ("Support parent to see the GP and self-refer to talking therapies",
               "Parent receiving treatment and reports feeling better"),
    "SUBSTANCE": ("Referral to the drug and alcohol recovery service", "Parent engaging and use reduced"),
    "FAMILY_REL": ("Parenting programme and sessions on reducing parental conflict",
                   "Fewer arguments; calmer evenings reported by the children"),
    "CHILD_SAFE": ("Return home interviews and a safety plan agreed with the young person",
                   "No missing episodes for three months"),
    "CRIME": ("Youth justice prevention worker to meet weekly", "No further offending"),
    "DOM_ABUSE": ("Referral to the domestic abuse service and safety planning", "Mum and children safe and feel safe"),
    "HOUSING": ("Housing options appointment and repairs reported to the landlord",
                "Arrears plan agreed and damp treated"),
    "FINANCE": ("Benefits check and debt advice appointment", "Income maximised and debts in a managed plan"),
}
REVIEW_SUMMARIES = [
    "TAF review held at school. Attendance improving; actions updated and one new action agreed.",
    "Review at home with both parents. Good progress on routines; housing action still outstanding.",
    "Virtual review. The family feel things are better; agreed to keep the plan going another eight weeks.",
    "Review held at the family hub. Concerns about missing episodes discussed; safety plan updated.",
]
FAMILY_VIEWS = ["We feel listened to and things are calmer at home.", "Mum says the help with money has made the "
                "biggest difference.", "The children said they like their worker and the after-school club.",
                "Dad would like more help with the teenager's behaviour.", ""]
NOTES = [
    "Home visit: spoke with mum and both children; house warm and tidy, food in the cupboards.",
    "Phone call with school: attendance 91% this half term, up from 84%.",
    "Met the young person at the youth club; talked about friendships and staying safe online.",
    "Email from the housing officer: repairs booked for next Tuesday.",
    "Parenting session three of eight attended; dad engaged well.",
    "Texted mum to confirm the TAF meeting date; she replied to say she will come.",
    "Supported mum to apply for free school meals and the household support fund.",
    "Joint visit with the health visitor; baby feeding well and meeting milestones.",
]
SENSITIVE_NOTES = [
    "Mum disclosed a history of domestic abuse from a former partner; safety plan discussed.",
    "Dad spoke about his mental health and medication; GP appointment booked.",
    "Young person told me about cannabis use with friends; shared harm reduction advice.",
    "Police informed us of a recent arrest of the older brother; no charges yet.",
]
ASSESSMENT_REASONS = ["Whole-family assessment following concerns about school attendance and home routines.",
                      "Assessment to understand the family's needs after the referral from health.",
                      "Family asked for support with behaviour, money worries and housing."]
VOICES = ["\"I like it when dad takes me to football. I don't like it when they shout.\"",
          "\"School is boring but my teacher is kind. I want my own room.\"",
          "The baby is too young to talk: observed to be settled and smiling with mum.",
          "\"I worry about mum when she is sad. I help with my little sister.\""]
ANALYSES = ["Strengths in the family's warmth and commitment; needs around routines, money and the parents' "
            "relationship. Without support, attendance is likely to fall further.",
            "Needs are at early help level: no evidence of significant harm. A plan focused on health and "
            "housing should make the biggest difference quickly."]
CLOSURE_SUMMARIES = {
    ClosureReason.OUTCOMES_MET: "All plan actions completed; attendance and routines improved and sustained.",
    ClosureReason.STEPPED_DOWN: "Needs now met by universal services: school pastoral team and children's centre.",
    ClosureReason.WITHDREW: "Family withdrew consent after the second review; closed with their agreement.",
    ClosureReason.MOVED: "Family moved out of the area; information shared with the new council with consent.",
    ClosureReason.OTHER: "Closed after the young person turned 18 and moved to adult services.",
}
FEEDBACK = ["Our worker was brilliant and never judged us.", "It helped, but it took a long time to get started.",
            "We would have liked more help in the school holidays.", "Thank you for listening to the kids."]
STEP_UP_REASONS = ["Escalating concerns about domestic abuse with the children present; strategy discussion held.",
                   "Young person at risk of criminal exploitation; referred to children's social care."]
EXCLUSION_REASONS = ["The practitioner is a relative of the family.",
                     "The family asked that this worker, a neighbour, does not see their record.",
                     "The practitioner was involved in a complaint made by the family."]
