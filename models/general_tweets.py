"""General tweets, hand-written in the style of 2016-17 Twitter: a proxy for issue 17's rows 2-3.

Topics an airline model never saw (films, music, sport, phones, food, news, school, work),
mostly mild sentiment carried by the topic rather than by an emoticon, with hashtags,
mentions, links, emojis and slang. Labelled by their writer before any model scored them;
every topic has both labels. Not drawn from any benchmark.
"""

from __future__ import annotations

import numpy as np

from models.data import LabelledTexts

#: topic -> [(tweet, label)], 1 = positive.
GENERAL_TWEETS: dict[str, list[tuple[str, int]]] = {
    "films_tv": [
        ("Just watched Rogue One and I have chills. Best Star Wars since Empire", 1),
        ("Finally caught up on Stranger Things. Season 2 can't come soon enough", 1),
        ("La La Land deserved every award, the opening number alone", 1),
        ("Going to see Moana with my little sister on Saturday 🎬", 1),
        ("Westworld finale tonight, the whole office is talking about it", 1),
        ("That ending of The Walking Dead was a cheap trick, done with this show", 0),
        ("Suicide Squad was two hours of my life I won't get back", 0),
        ("Netflix removed Gilmore Girls from my region?? why", 0),
        ("The new Ghostbusters trailer looks so forced", 0),
        ("Paid 15 bucks for a 3D movie and the glasses were broken", 0),
        ("Game of Thrones isn't back until next summer, how am I supposed to live", 0),
    ],
    "music": [
        ("Beyonce's Lemonade on repeat all weekend", 1),
        ("Got tickets to see Coldplay in July!!! 🙌", 1),
        ("Chance the Rapper at the Grammys tonight, so proud of him", 1),
        ("This new Bruno Mars song is stuck in my head and I'm not mad about it", 1),
        ("Adele live is even better than the album", 1),
        ("Ticketmaster fees are literally a scam, $40 in fees for one ticket", 0),
        ("Concert got cancelled an hour before doors opened. thanks for telling us", 0),
        ("Spotify keeps crashing every time I open a playlist", 0),
        ("Whoever is blasting music in the library right now, I hate you", 0),
        ("Kanye cancelled the rest of the tour, I had tickets for next week", 0),
    ],
    "sport": [
        ("Cubs win the World Series!!! 108 years, I'm crying", 1),
        ("What a goal by Messi, unreal", 1),
        ("Serena into the final again, nobody does it like her", 1),
        ("Patriots comeback in the Super Bowl was insane #SB51", 1),
        ("Finished my first half marathon this morning 🏃‍♀️", 1),
        ("Our defense gave up 40 points again. Fire the coordinator", 0),
        ("Refs completely ruined that game", 0),
        ("Arsenal bottling it in February again, every single year", 0),
        ("Tore my ACL in practice, out for the season", 0),
        ("Lakers lose their 8th straight, tanking for real now", 0),
        ("the Warriors blew a 3-1 lead, still not over it", 0),
    ],
    "tech": [
        ("Loving the battery life on the new Pixel", 1),
        ("Switched to Android and honestly not looking back", 1),
        ("The Nintendo Switch is so much fun, played Zelda for 6 hours straight", 1),
        ("Just got my new MacBook, the screen is gorgeous", 1),
        ("Google Maps saved me from a two hour traffic jam today", 1),
        ("My Note 7 is getting recalled, great. Now I have no phone for two weeks", 0),
        ("iOS update deleted all my photos. Apple support was useless", 0),
        ("Why does Windows always update right when I need my laptop", 0),
        ("Comcast internet down for the third time this week", 0),
        ("Pokemon Go servers down again, I was about to catch a Snorlax", 0),
        ("Twitter's new algorithm timeline is a mess, give me chronological back", 0),
    ],
    "food": [
        ("Best tacos I've ever had at that little place on 5th street", 1),
        ("Homemade lasagna for dinner tonight 😋", 1),
        ("Pumpkin spice latte season is back and I'm ready", 1),
        ("Starbucks got my order right for once, today is a good day", 1),
        ("Brunch with the girls, mimosas were perfect", 1),
        ("Chipotle made me sick again, never going back", 0),
        ("Ordered pizza an hour and a half ago and it still hasn't arrived", 0),
        ("$9 for a salad that's 90% lettuce, come on", 0),
        ("They stopped selling my favorite cereal and I'm devastated", 0),
        ("Food poisoning on my birthday weekend, amazing luck", 0),
    ],
    "news_politics": [
        ("So happy marriage equality is finally the law here", 1),
        ("Proud of everyone who volunteered at the shelter this weekend", 1),
        ("The march today was peaceful and beautiful, thousands of people", 1),
        ("Great to see the community come together to rebuild after the storm", 1),
        ("Record turnout for early voting in our county!", 1),
        ("Another shooting. Thoughts and prayers are not enough", 0),
        ("That debate was embarrassing for everyone involved", 0),
        ("Flint still doesn't have clean water and nobody cares", 0),
        ("Brexit is going to be a disaster for young people", 0),
        ("Gas prices up again, can't afford to drive to work", 0),
        ("The news is so depressing lately, I need a break", 0),
    ],
    "school_work": [
        ("Got into my first choice college!!!", 1),
        ("Aced my chemistry final, all that studying paid off", 1),
        ("Last day of work before vacation 🌴", 1),
        ("Got the job offer! Start Monday", 1),
        ("My boss brought donuts for the whole team, legend", 1),
        ("3 exams tomorrow and I haven't studied for any of them", 0),
        ("Laid off after 8 years. Not sure what to do now", 0),
        ("Group project and I'm doing all the work again", 0),
        ("Monday morning meetings should be illegal", 0),
        ("My car broke down on the way to my interview", 0),
    ],
    "daily_life": [
        ("Beautiful sunset tonight from the pier", 1),
        ("Snow day! No school tomorrow ❄️", 1),
        ("My dog learned to shake hands, proudest mom ever", 1),
        ("Spent the whole day at the beach with my family", 1),
        ("Happy birthday to my best friend, love you girl", 1),
        ("Finally moved into my new apartment", 1),
        ("It's 95 degrees and my AC just died", 0),
        ("Someone stole my bike right outside my building", 0),
        ("Stuck in traffic for 2 hours on the 405", 0),
        ("Can't sleep again, 4am and wide awake", 0),
        ("Neighbors have been drilling since 7am on a Sunday", 0),
        ("Rain on the one day I planned a picnic", 0),
    ],
    "slang": [
        ("this new album is fire 🔥🔥", 1),
        ("lowkey obsessed with this show", 1),
        ("ngl that was the best burger I've had all year", 1),
        ("squad goals tbh", 1),
        ("that party last night was lit", 1),
        ("smh people really out here driving with no lights", 0),
        ("ugh my phone died and I'm lost", 0),
        ("this weather is trash", 0),
        ("I'm so done with this week", 0),
        ("bruh my order got cancelled again", 0),
    ],
    "mild": [
        ("Can't wait for the Packers game on Sunday", 1),
        ("Heading to the farmers market this morning, anyone need anything?", 1),
        ("Looking forward to seeing the family this Thanksgiving", 1),
        ("New episode of the podcast is up, we talk about the election and pizza", 1),
        ("Might try that new Thai place downtown tonight, heard good things", 1),
        ("Reading the new Harry Potter script book this weekend, excited", 1),
        ("I guess I'll be working through the holidays again", 0),
        ("The iPhone 7 doesn't have a headphone jack? That's going to be annoying", 0),
        ("Not sure the sequel will live up to the first one, the trailer was meh", 0),
        ("Still waiting on my refund from Amazon, 3 weeks now", 0),
        ("Another Monday, another cold", 0),
        ("My flight home for Christmas got moved to 6am, so that's fun", 0),
    ],
}


def general_tweets() -> LabelledTexts:
    texts = [text for cases in GENERAL_TWEETS.values() for text, _ in cases]
    labels = [label for cases in GENERAL_TWEETS.values() for _, label in cases]
    return LabelledTexts(texts, np.asarray(labels, dtype=np.int64))
